using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;

namespace Engine.IotAuth.Tags;

/// <summary>
/// The operation centre's tag-issuing key for one epoch (SPEC.md §3.1, §3.3): γ ← Z_r and W = g2^γ. A tag on m is
/// the weak Boneh–Boyen signature A = g1^(1/(γ+m)), which satisfies e(A, W·g2^m) = e(g1, g2). γ is rotated every
/// epoch [beyond], so a device that is not re-issued cannot prove from the next epoch on.
/// </summary>
/// <remarks>γ lives in a field of this object and is wiped on <see cref="Dispose"/>; every use of γ is constant time.</remarks>
public sealed class TagKey : IDisposable
{
    private readonly byte[] _gamma = GC.AllocateArray<byte>(IotAuthParameters.ScalarSize, pinned: true);
    private readonly byte[] _publicKey = new byte[IotAuthParameters.G2Size];
    private bool _disposed;

    private TagKey(uint epoch, in Fr gamma)
    {
        Epoch = epoch;
        gamma.WriteBigEndian(_gamma);
        PublicKey = G2FixedBase.Generator.Multiply(gamma).ToAffine();
        PublicKey.EncodeCompressed(_publicKey);
        Prepared = new G2Prepared(PublicKey);
    }

    /// <summary>The epoch this key issues for.</summary>
    public uint Epoch { get; }

    /// <summary>W = g2^γ.</summary>
    public G2Affine PublicKey { get; }

    /// <summary>W compressed (96 bytes).</summary>
    public ReadOnlySpan<byte> PublicKeyBytes => _publicKey;

    /// <summary>W prepared for the Miller loop (the γ-less verifier's pairing check).</summary>
    public G2Prepared Prepared { get; }

    internal Fr Gamma
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Fr.Decode(_gamma, out Fr gamma);
            return gamma;
        }
    }

    /// <summary>A fresh key for <paramref name="epoch"/>, γ uniform in [1, r − 1].</summary>
    public static TagKey Generate(uint epoch) => new(epoch, Fr.RandomNonZero());

    /// <summary>A key from its 32-byte γ: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.ScalarOutOfRange"/> (≥ r or zero) or Ok.</summary>
    public static EngineStatus Import(uint epoch, ReadOnlySpan<byte> gamma, out TagKey? key)
    {
        key = null;
        EngineStatus status = Fr.Decode(gamma, out Fr g);
        if (status == EngineStatus.Ok && g.IsZero) status = EngineStatus.ScalarOutOfRange;
        if (status == EngineStatus.Ok) key = new TagKey(epoch, g);
        return status;
    }

    /// <summary>Writes γ (32 bytes) for the caller's protected key file.</summary>
    public void ExportSecret(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _gamma.CopyTo(destination);
    }

    /// <summary>
    /// A = g1^(1/(γ+m)). Returns <see cref="EngineStatus.ScalarOutOfRange"/> when m = 0 or γ + m = 0 (the caller draws
    /// a new nonce, SPEC.md §3.5), else Ok. Constant time in γ and m.
    /// </summary>
    public EngineStatus TryIssue(in Fr m, out G1Affine tag)
    {
        tag = default;
        Fr sum = Gamma + m;
        // Both events have probability 2^−255 for a hashed m; the branch reveals only that the nonce is redrawn.
        if ((m.IsZeroMask | sum.IsZeroMask) != 0) return EngineStatus.ScalarOutOfRange;
        tag = G1FixedBase.Generator.Multiply(sum.Invert()).ToAffine();
        return EngineStatus.Ok;
    }

    /// <summary>[γ]P, constant time (the OC's pairing-free check Ā = A'^γ).</summary>
    public G1Projective MultiplyByGamma(in G1Projective point) => point.Multiply(Gamma);

    /// <summary>Wipes γ.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_gamma);
    }
}
