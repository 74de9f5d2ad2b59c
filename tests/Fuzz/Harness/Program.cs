using System.Buffers;
using System.Text;
using Engine;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.Pairing.Groups;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Abe;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using SharpFuzz;

// engine fuzz harness: `Engine.Fuzz TARGET` runs one target under afl-fuzz (SharpFuzz's persistent out-of-process
// loop); `Engine.Fuzz seeds DIR` writes each target's seed corpus. A target must answer every input with a status; any
// exception that escapes is a crash afl records (and tests/Fuzz turns into a regression test).
var targets = new Dictionary<string, (Action<byte[]> Run, Func<byte[][]> Seeds)>(StringComparer.Ordinal)
{
    ["frame"] = (input =>
    {
        var buffer = new ReadOnlySequence<byte>(input);
        while (Frame.TryRead(ref buffer, 1024, out _, out _) == EngineStatus.Ok) { }
        _ = Frame.ErrorStatus(input);
    }, () => { byte[] f = new byte[Frame.HeaderSize + 3]; Frame.Write(f, 3, "abc"u8); return [f]; }),
    ["kgc-directory"] = (input => KgcDirectoryServer.DecodeDirectory(input, out _, out _),
                         () => [KgcDirectoryServer.EncodeDirectory([1, 2, 3], new Dictionary<string, System.Net.IPEndPoint> { ["relay-1"] = new(System.Net.IPAddress.Loopback, 7401) })]),
    ["g1"] = (input => G1Affine.Decode(input, out _), () =>
    {
        byte[] c = new byte[G1Affine.CompressedSizeInBytes], u = new byte[G1Affine.UncompressedSizeInBytes];
        G1Affine.Generator.EncodeCompressed(c);
        G1Affine.Generator.EncodeUncompressed(u);
        return [c, u];
    }),
    ["g2"] = (input => G2Affine.Decode(input, out _), () =>
    {
        byte[] c = new byte[G2Affine.CompressedSizeInBytes];
        G2Affine.Generator.EncodeCompressed(c);
        return [c];
    }),
    ["two-server"] = (TwoServerRequest, () =>
    [
        [(byte)TwoServerMessageType.Register, .. new TwoServerWire.Writer().Name("alice").Blob(new byte[48]).ToArray()],
        [(byte)TwoServerMessageType.Join, .. new TwoServerWire.Writer().Name("alice").Name("g").Blob(new byte[80]).ToArray()],
    ]),
    ["access-request"] = (input => AccessRequest.Decode(input, out _), () => [AccessRequest.Create("csp", "file", TimeProvider.System).Encode()]),
    ["abe"] = (input =>
    {
        AbeCiphertextHeader.Decode(input, out _, out _);
        KeyUpdate.Decode(input, out _);
        Ring.Decode(input, out _);
        RingPublicKey.Decode(input, out _);
    }, () => [[Engine.Revocation.RevocationParameters.Version, 0, 0, 0, 1, (byte)'a']]),
    ["policy"] = (input =>
    {
        try { Policy.Parse(new UTF8Encoding(false, false).GetString(input)); }
        catch (PolicyException) { }
    }, () => [Encoding.UTF8.GetBytes("(a@x AND b@x) OR 2 of (c@y, d@y, \"e f\"@z)")]),
};

if (args is ["seeds", string dir])
{
    foreach ((string name, (_, Func<byte[][]> seeds)) in targets)
    {
        Directory.CreateDirectory(Path.Combine(dir, name));
        byte[][] all = seeds();
        for (int i = 0; i < all.Length; i++) File.WriteAllBytes(Path.Combine(dir, name, $"seed-{i}"), all[i]);
    }
    return 0;
}
if (args.Length != 1 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Engine.Fuzz TARGET | seeds DIR   (targets: {string.Join(", ", targets.Keys)})");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target.Run(copy.ToArray());
});
return 0;

static void TwoServerRequest(byte[] input)
{
    if (input.Length == 0) return;
    Node.Value.Process((TwoServerMessageType)input[0], input.AsSpan(1), Challenge, out _, out _);
}

static partial class Program
{
    private static readonly byte[] Challenge = TwoServerNode.NewChallenge();

    // One node for the whole run (afl's persistent loop): its store grows by at most the quotas.
    private static readonly Lazy<TwoServerNode> Node = new(() =>
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        return new TwoServerNode(1, SchnorrSigningKey.Generate(group), SchnorrSigningKey.Generate(group).PublicKey, TwoServerParameters.ForBlockSize(64));
    });
}
