using Engine.Primitives.Groups;

namespace Engine.Primitives.Schnorr;

/// <summary>
/// A Schnorr signing key x in a <see cref="PrimeOrderGroup"/>, with its public key y = g^x. The secret scalar lives
/// in a pinned array and is wiped on <see cref="Dispose"/> (STYLE.md B5).
/// </summary>
public sealed class SchnorrSigningKey : IDisposable
{
    private readonly SecretScalar _secret;
    private readonly byte[] _publicKey;

    private SchnorrSigningKey(PrimeOrderGroup group, ReadOnlySpan<ulong> secret)
    {
        Group = group;
        _secret = SecretScalar.From(secret);
        Span<ulong> y = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(_secret.Value, y);
        _publicKey = new byte[group.ElementSizeInBytes];
        group.Encode(y, _publicKey);
    }

    /// <summary>The group the key lives in.</summary>
    public PrimeOrderGroup Group { get; }

    /// <summary>The encoded public key g^x.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>A fresh key from the OS CSPRNG.</summary>
    public static SchnorrSigningKey Generate(PrimeOrderGroup group)
    {
        Span<ulong> x = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        group.RandomScalar(x);
        var key = new SchnorrSigningKey(group, x);
        x.Clear();
        return key;
    }

    /// <summary>A key from its 32-byte big-endian encoding: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.ScalarOutOfRange"/> (≥ q or zero).</summary>
    public static EngineStatus Import(PrimeOrderGroup group, ReadOnlySpan<byte> secret, out SchnorrSigningKey? key)
    {
        key = null;
        Span<ulong> x = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.DecodeNonZeroScalar(secret, x);
        if (status == EngineStatus.Ok) key = new SchnorrSigningKey(group, x);
        x.Clear();
        return status;
    }

    internal ReadOnlySpan<ulong> Secret => _secret.Value;

    /// <summary>Writes the 32-byte secret (for a key file the caller protects and wipes).</summary>
    public void ExportSecret(Span<byte> destination) => PrimeOrderGroup.EncodeScalar(_secret.Value, destination);

    /// <summary>Wipes the secret scalar.</summary>
    public void Dispose() => _secret.Dispose();

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"SchnorrSigningKey({Group.Name})";
}
