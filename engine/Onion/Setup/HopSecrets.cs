using System.Security.Cryptography;
using Engine.Primitives.Kdf;

namespace Engine.Onion.Setup;

/// <summary>
/// The per-hop keys of one link setup, all derived from K_j = Y_j^x_j = P_j^X_j (SPEC.md §1.2 step 2):
/// the header keystream ρ, the header MAC key μ, the ACK keystream and the ACK MAC key.
/// </summary>
internal sealed class HopSecrets : IDisposable
{
    private readonly byte[] _material = GC.AllocateArray<byte>(128, pinned: true);

    public HopSecrets(ReadOnlySpan<byte> encodedK, ReadOnlySpan<byte> encodedY)
    {
        Kdf.Derive(encodedK, default, "onion/setup", encodedY, _material);
    }

    public ReadOnlyMemory<byte> HeaderStream => _material.AsMemory(0, 32);
    public ReadOnlyMemory<byte> HeaderMac => _material.AsMemory(32, 32);
    public ReadOnlySpan<byte> AckStream => _material.AsSpan(64, 32);
    public ReadOnlySpan<byte> AckMac => _material.AsSpan(96, 32);

    public void Dispose() => CryptographicOperations.ZeroMemory(_material);
}
