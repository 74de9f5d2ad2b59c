using System.Security.Cryptography;
using Engine.Primitives.Kdf;

namespace Engine.Onion.Data;

/// <summary>
/// The data-phase keys of one hop, derived from its K'_j key (SPEC.md §1.3): the forward header keystream and
/// MAC key, the payload re-encryption keystream, the backward keystream, and (used by the destination's hop only)
/// the AES-256-GCM keys of the forward payload and the backward body.
/// </summary>
internal sealed class DataKeys : IDisposable
{
    private readonly byte[] _material = GC.AllocateArray<byte>(192, pinned: true);

    public DataKeys(ReadOnlySpan<byte> dataKey) => Kdf.Derive(dataKey, default, "onion/data/keys", default, _material);

    // Slices of the pinned buffer: no copy of a key ever leaves it, so Dispose wipes every one.
    public ReadOnlyMemory<byte> HeaderStream => _material.AsMemory(0, 32);
    public ReadOnlyMemory<byte> HeaderMac => _material.AsMemory(32, 32);
    public ReadOnlySpan<byte> PayloadLayer => _material.AsSpan(64, 32);
    public ReadOnlySpan<byte> BackwardLayer => _material.AsSpan(96, 32);
    public ReadOnlySpan<byte> ForwardAead => _material.AsSpan(128, 32);
    public ReadOnlySpan<byte> BackwardAead => _material.AsSpan(160, 32);

    // The destination's GCM contexts, made on first use and kept, so a data packet does not build a key schedule.
    // Callers hold the link's lock: AesGcm instances are not thread-safe.
    private AesGcm? _forwardGcm, _backwardGcm;
    private IncrementalHash? _headerMac;

    /// <summary>
    /// γ check of a data header with this hop's MAC key: the HMAC context is keyed once per link and reset after each
    /// packet, which halves the cost of the one-shot call (no ipad/opad key setup, no algorithm fetch per packet).
    /// </summary>
    public bool HeaderMacMatches(ulong nonce, ReadOnlySpan<byte> header)
    {
        _headerMac ??= IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, HeaderMac.Span);
        int t = header.Length - Setup.SetupLayout.MacSize;
        Span<byte> prefix = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(prefix, nonce);
        Span<byte> mac = stackalloc byte[Setup.SetupLayout.MacSize];
        _headerMac.AppendData(prefix);
        _headerMac.AppendData(header[..t]);
        _headerMac.GetHashAndReset(mac);
        return CryptographicOperations.FixedTimeEquals(mac, header[t..]);
    }

    /// <summary>Decrypts the forward payload in place (plaintext may be the ciphertext's span); false on a bad tag.</summary>
    public bool OpenForward(ReadOnlySpan<byte> nonce, Span<byte> ciphertextAndPlaintext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        _forwardGcm ??= new AesGcm(ForwardAead, DataPacket.TagSize);
        try
        {
            _forwardGcm.Decrypt(nonce, ciphertextAndPlaintext, tag, ciphertextAndPlaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;                                               // .NET has already cleared the output
        }
    }

    /// <summary>Encrypts a backward body.</summary>
    public void SealBackward(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        _backwardGcm ??= new AesGcm(BackwardAead, DataPacket.TagSize);
        _backwardGcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    public void Dispose()
    {
        _headerMac?.Dispose();
        _forwardGcm?.Dispose();
        _backwardGcm?.Dispose();
        CryptographicOperations.ZeroMemory(_material);
    }
}
