namespace Engine.BigInt;

/// <summary>
/// The engine's named Schnorr groups (SPEC.md §0). Each was generated verifiably: the seed is
/// SHA-256(label ‖ index) with the smallest index whose q is prime, p comes from the stated counter, and g from
/// the A.2.3 canonical procedure, so anyone can recompute all three (tests/BigInt/SchnorrGroupTests does).
/// </summary>
public static class SchnorrGroups
{
    private static SchnorrGroup? s_modp2048Q256;
    private static SchnorrGroup? s_modp3072Q256;

    /// <summary>
    /// |p| = 2048, |q| = 256: FIPS 186-4 A.1.1.2 with SHA-256 from seed index 126 of the label
    /// "ENGINE-V1/SchnorrGroup/Modp2048Q256" (the first index whose q is prime), p found at counter 23;
    /// g by A.2.3 with index 1.
    /// </summary>
    public static SchnorrGroup Modp2048Q256 => s_modp2048Q256 ??= new SchnorrGroup(
        name: "Modp2048Q256",
        p: "bcf12fa879233c98a806e007ee812d17aa6b2df81bcc50abec2f8d456e7ea123e10f36333acf54bde95d2918facf7339" +
            "c2cee92d1061f5fe9b6d64bea4bb3134a11e604cf3096ed7f3de4c307fa4698b0c1663c92e0c053ae68d343383964dab" +
            "3f053ce7b669e781fe7371872a7aa52a32ca6f6c497a7a2042c89625270c83376c3c98eb962997dc940677faadafe37a" +
            "14b8ee083698f5fa909a15c1118f2b7219e7582d38b47f966afeef23421e4e9b94b50bb04d3f8963f8c0cbc81c5847c9" +
            "8ad6d1d95f92e1dbc23bfed74e25b4e8c0176991290e1ebbd4ba2c055566810d1f0c4a63bf2f0249adc8caa0d879ad75" +
            "a74640394c9a14e91f62eff6e9ee75cb",
        q: "cff1b2e6aac0e43d6fc946206fb16a53fd3556179bade52f6b7d64d7e2527bcb",
        g: "15267dd66e1f6ae67e66709fa710a0b9ebb3179aaa017014899f8b40804a363f2112fb48f2edc2869aaebadf2f3853fe" +
            "e76af4dd0867406bd8d4cf5dfd9fd67cde7e5b8e85affdea5af9f1db21d29b48f9162032db3450b243daaf7d4545f519" +
            "b11d1a8064a5fc2546d599cd1607d1717b38876b31a7878e88cad1257b6fbe16024f5448985f259fb61ac0a270f4e2f3" +
            "fc9b9eb30c4106f6c4c99126e484aa651305f2e03f1accc8b160d5da843c317bbc5173356dffb5175163f5aa28aeb91e" +
            "dc0d5e94331b95d61c6342b0411721eb243ee6bfae578a23b1448f3dc63c41f9248ab7485e0ebacaa9f45da29d96dd4d" +
            "7ee29f8d5fbb7b5612e7c8055b10b573",
        seed: "2c5c1cce3e563175e98db97c850148ad75d10bba75f15f299669defd8b01e118",
        seedLabel: "ENGINE-V1/SchnorrGroup/Modp2048Q256",
        seedIndex: 126,
        counter: 23);

    /// <summary>
    /// |p| = 3072, |q| = 256: FIPS 186-4 A.1.1.2 with SHA-256 from seed index 20 of the label
    /// "ENGINE-V1/SchnorrGroup/Modp3072Q256" (the first index whose q is prime), p found at counter 787;
    /// g by A.2.3 with index 1.
    /// </summary>
    public static SchnorrGroup Modp3072Q256 => s_modp3072Q256 ??= new SchnorrGroup(
        name: "Modp3072Q256",
        p: "b2cb35aa3ab3c45e5b5546ce2a2c95f4efcb5790aaa109b561095b5f881b18705d90b1cfa412abffa02f8bc83785a3a0" +
            "ddf3c249101b1f8d04e44215dac6ac74bfe6ad43ec27d7909b202a19a7b9d0660951f4495263cc7d5ebc60b370a788d4" +
            "27a02d70ac8d4c9d2d8261bfa8a22eb37c0695357ea5709127625e4f83f7988d7ebc04f44946cca8decd75ed005d4743" +
            "fe7b6bc4656d1d4faa8b9ac77b01ff9775ef16c494d8bc4bc6c946a545fd65cc365706b0250c4fe7eb200c22523044db" +
            "91a6c17445fd9abf731edfb500e84bcb8e67f56225f3891be98f7e46fb1813f2cb7e470c70dc7dc457414f6d8c98a070" +
            "9e02cfbe7d397e615389b7ec926b3657fc552d888e496f1d66401f617d890f8cb78a41af1efe88a70ee9efb70d4bb179" +
            "1a9e3bbc7cc2d67f4df1b8522c88315ec2a594f3b6a101db3f3e467a28e9915a5bb8f48e8f9bd2c322f5204b665e5713" +
            "ac26652bced96c72717cfec9572f4a28e21d3eca7c1342b35c2062ae390b0844e00f737945d657726b4ea2f82e53628f",
        q: "d16443cfa98b45b24ba8cc13abc896ccb1af4f70a0a8a1201372191080c0e0af",
        g: "5c060c5a7935eaeadf51487b929d24a749446c8d5cd561662e8506a6a6e91395404d5e34302927f139aa414804473200" +
            "a22ae399efbbcadfb3fe39cc3ea6e6ea7299094b012c8c53442b3fc136ad2614197f24786ab2ad7b934cdb2821ecc952" +
            "ce74954e380e68fb6e58e731d3c918bd1bd14b12bf2e8e92540202f113ea5682cd48d0dc02dcd983ab294082efb244d8" +
            "ee007e4c9725097f7e743475a85441331c8305788c0c7384c20502ad72adb39954030221c5c6d9d564c2d9738406d72a" +
            "ae8179671ee414a59564883ee2d43e27caed0fd36b46c01130d46370bcfe845c41ef169a22df06d88c90a2d69ba614c0" +
            "686b00ebaf2c210bd6aacad567da97fa99de8a693d8218abe4e6a8e5b5d28a42f60aee7066584533ce6d2830fb247e1b" +
            "3e4d5635818c2a243867e7d2bb3bdabd4543a3ed2ee28c4b557382064bd743f57a315a94c713c62a2d25c2f697814a31" +
            "9a350c6b550866684f199e51e7d3030bf573cf3cf93e377af0ad40537e64c0c353e1bd054ec31d43e5be5c117f3f4683",
        seed: "3a81bdd8e9b28cd998ac67872685ddec689835d3378187f55c041f854be03598",
        seedLabel: "ENGINE-V1/SchnorrGroup/Modp3072Q256",
        seedIndex: 20,
        counter: 787);

    /// <summary>The named groups, for listings and tests.</summary>
    public static IReadOnlyList<SchnorrGroup> All => [Modp2048Q256, Modp3072Q256];

    /// <summary>Finds a named group ("Modp2048Q256", "Modp3072Q256"), case-insensitively.</summary>
    public static SchnorrGroup? Find(string name) =>
        All.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase));
}
