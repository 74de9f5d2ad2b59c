using Engine.Primitives.Groups;

namespace Engine.Primitives.Encryption;

/// <summary>
/// A decryption key for <see cref="HashedElGamal"/>: x in pinned memory (wiped on <see cref="Dispose"/>) and the
/// encoded public key g^x.
/// </summary>
public sealed class HashedElGamalKey : IDisposable
{
    private readonly SecretScalar _secret;
    private readonly byte[] _publicKey;

    private HashedElGamalKey(PrimeOrderGroup group, SecretScalar secret)
    {
        Group = group;
        _secret = secret;
        Span<ulong> y = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(secret.Value, y);
        _publicKey = new byte[group.ElementSizeInBytes];
        group.Encode(y, _publicKey);
    }

    /// <summary>The group.</summary>
    public PrimeOrderGroup Group { get; }

    /// <summary>The encoded public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    internal ReadOnlySpan<ulong> Secret => _secret.Value;

    /// <summary>A fresh key from the OS CSPRNG.</summary>
    public static HashedElGamalKey Generate(PrimeOrderGroup group) => new(group, SecretScalar.Random(group));

    /// <summary>A key from its 32-byte big-endian secret: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.ScalarOutOfRange"/> (≥ q or zero).</summary>
    public static EngineStatus Import(PrimeOrderGroup group, ReadOnlySpan<byte> secret, out HashedElGamalKey? key)
    {
        key = null;
        Span<ulong> x = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.DecodeNonZeroScalar(secret, x);
        if (status == EngineStatus.Ok) key = new HashedElGamalKey(group, SecretScalar.From(x));
        x.Clear();
        return status;
    }

    /// <summary>Writes the 32-byte secret (for a key file the caller protects and wipes).</summary>
    public void ExportSecret(Span<byte> destination) => PrimeOrderGroup.EncodeScalar(_secret.Value, destination);

    /// <summary>Wipes the secret.</summary>
    public void Dispose() => _secret.Dispose();

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"HashedElGamalKey({Group.Name})";
}
