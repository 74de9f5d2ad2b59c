using Engine.Primitives.Groups;

namespace Engine.Onion.Keys;

/// <summary>
/// A node's full private key: x_ID = rD + t (so that P_ID = g^x_ID), held pinned and wiped on <see cref="Dispose"/>,
/// with the matching public key.
/// </summary>
public sealed class CertificatelessPrivateKey : IDisposable
{
    private readonly SecretScalar _x;

    internal CertificatelessPrivateKey(CertificatelessPublicKey publicKey, ReadOnlySpan<ulong> x)
    {
        PublicKey = publicKey;
        _x = SecretScalar.From(x);
    }

    /// <summary>The matching public key.</summary>
    public CertificatelessPublicKey PublicKey { get; }

    internal ReadOnlySpan<ulong> Secret => _x.Value;

    /// <summary>Wipes x_ID.</summary>
    public void Dispose() => _x.Dispose();
}
