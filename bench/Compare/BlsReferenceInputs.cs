using System.Text;
using System.Text.Json;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;

namespace Engine.Bench.Compare;

/// <summary>
/// The inputs the blst/noble reference script measures on (bench/Pairing/reference.mjs): n key pairs in the min-pk
/// scheme, n messages, the signature of message 0 and the aggregate of all n signatures, from a fixed seed.
/// </summary>
internal sealed record BlsReferenceInputs(Fr[] SecretKeys, G1Affine[] PublicKeys, byte[][] Messages, G2Affine[] Hashed, G2Affine Signature, G2Affine Aggregate)
{
    /// <summary>The proof-of-possession ciphersuite DST that @chainsafe/blst (Ethereum consensus) signs with.</summary>
    public static readonly byte[] Dst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"u8.ToArray();

    public static BlsReferenceInputs Create(int n)
    {
        var rng = new Random(381);
        var sks = new Fr[n];
        var pks = new G1Affine[n];
        var msgs = new byte[n][];
        var hashed = new G2Affine[n];
        G2Projective aggregate = G2Projective.Identity;
        for (int i = 0; i < n; i++)
        {
            byte[] k = new byte[32];
            rng.NextBytes(k);
            k[0] &= 0x3f;
            Fr.Decode(k, out sks[i]);
            pks[i] = G1Projective.Generator.Multiply(sks[i]).ToAffine();
            msgs[i] = new byte[32];
            rng.NextBytes(msgs[i]);
            hashed[i] = HashToGroup.HashToG2(msgs[i], Dst).ToAffine();
            aggregate += hashed[i].ToProjective().Multiply(sks[i]);
        }
        return new BlsReferenceInputs(sks, pks, msgs, hashed, hashed[0].ToProjective().Multiply(sks[0]).ToAffine(), aggregate.ToAffine());
    }

    /// <summary>Writes the JSON the script reads; <paramref name="only"/> names the rows to measure (null: all). Returns the path.</summary>
    public string Write(string path, IReadOnlyList<string>? only)
    {
        byte[] sk = new byte[32];
        SecretKeys[0].WriteBigEndian(sk);
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            dst = Encoding.ASCII.GetString(Dst),
            secretKey = Convert.ToHexStringLower(sk),
            scalar = Convert.ToHexStringLower(sk),
            messages = Messages.Select(Convert.ToHexStringLower).ToArray(),
            publicKeys = PublicKeys.Select(p => { byte[] b = new byte[48]; p.EncodeCompressed(b); return Convert.ToHexStringLower(b); }).ToArray(),
            signature = Hex(Signature),
            aggregateSignature = Hex(Aggregate),
            skipNoble = only is not null,
            only,
        }));
        return path;
    }

    private static string Hex(in G2Affine p)
    {
        byte[] b = new byte[96];
        p.EncodeCompressed(b);
        return Convert.ToHexStringLower(b);
    }
}
