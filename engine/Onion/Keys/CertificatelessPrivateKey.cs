using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Engine.Primitives.Groups;

namespace Engine.Onion.Keys;

/// <summary>
/// A node's full private key: x_ID = rD + t (so that P_ID = g^x_ID), held pinned and wiped on <see cref="Dispose"/>,
/// with the matching public key.
/// </summary>
public sealed class CertificatelessPrivateKey : IDisposable
{
    private readonly ulong[] _x = GC.AllocateArray<ulong>(PrimeOrderGroup.ScalarLimbs, pinned: true);
    private bool _disposed;

    internal CertificatelessPrivateKey(CertificatelessPublicKey publicKey, ReadOnlySpan<ulong> x)
    {
        PublicKey = publicKey;
        x.CopyTo(_x);
    }

    /// <summary>The matching public key.</summary>
    public CertificatelessPublicKey PublicKey { get; }

    internal ReadOnlySpan<ulong> Secret
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _x;
        }
    }

    /// <summary>Wipes x_ID.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_x.AsSpan()));
    }
}
