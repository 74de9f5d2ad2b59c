using System.Security.Cryptography;

namespace Engine.IotAuth.Auth;

/// <summary>Which side a key-confirmation MAC comes from.</summary>
public enum ConfirmationRole
{
    /// <summary>HMAC(K_mac, "OC" ‖ th), sent by the operation centre.</summary>
    OperationCenter,

    /// <summary>HMAC(K_mac, "DEVICE" ‖ th), sent by the device.</summary>
    Device,
}

/// <summary>
/// The session key of SPEC.md §3.5: th = SHA-256(CH ‖ proof), K = HKDF-SHA256(IKM = enc(Y^(ab)), no salt,
/// info = "ENGINE-V1/iot-auth/session" ‖ th, 64 bytes), K_enc = K[0..32], K_mac = K[32..64], and the two
/// key-confirmation MACs. K depends on the ephemeral a and b only, so later loss of γ or of a tag reveals nothing.
/// </summary>
/// <remarks>The keys live in pinned memory and are wiped on <see cref="Dispose"/>.</remarks>
public sealed class SessionKeys : IDisposable
{
    private readonly byte[] _key = GC.AllocateArray<byte>(64, pinned: true);
    private readonly byte[] _transcriptHash = new byte[32];
    private bool _disposed;

    private SessionKeys() { }

    /// <summary>th.</summary>
    public ReadOnlySpan<byte> TranscriptHash => _transcriptHash;

    /// <summary>K_enc, for the caller's channel.</summary>
    public ReadOnlySpan<byte> EncryptionKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key.AsSpan(0, 32);
        }
    }

    /// <summary>K_mac.</summary>
    internal ReadOnlySpan<byte> MacKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key.AsSpan(32, 32);
        }
    }

    /// <summary>Derives the keys from enc(Y^(ab)) (48 bytes), CH and the proof.</summary>
    public static SessionKeys Derive(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> challengeFields, ReadOnlySpan<byte> proof)
    {
        var keys = new SessionKeys();
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            sha.AppendData(challengeFields);
            sha.AppendData(proof);
            sha.GetHashAndReset(keys._transcriptHash);
        }
        ReadOnlySpan<byte> prefix = IotAuthParameters.SessionInfo;
        Span<byte> info = stackalloc byte[prefix.Length + 32];
        prefix.CopyTo(info);
        keys._transcriptHash.CopyTo(info[prefix.Length..]);
        Span<byte> prk = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, sharedSecret, ReadOnlySpan<byte>.Empty, prk);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, keys._key, info);
        CryptographicOperations.ZeroMemory(prk);
        return keys;
    }

    /// <summary>Writes the confirmation MAC of <paramref name="role"/> (32 bytes).</summary>
    public void WriteConfirmation(ConfirmationRole role, Span<byte> destination)
    {
        ReadOnlySpan<byte> label = role == ConfirmationRole.OperationCenter ? "OC"u8 : "DEVICE"u8;
        Span<byte> input = stackalloc byte[label.Length + 32];
        label.CopyTo(input);
        _transcriptHash.CopyTo(input[label.Length..]);
        HMACSHA256.HashData(MacKey, input, destination);
    }

    /// <summary>Checks a confirmation MAC from the other side in constant time.</summary>
    public bool CheckConfirmation(ConfirmationRole role, ReadOnlySpan<byte> mac)
    {
        if (mac.Length != IotAuthParameters.ConfirmationSize) return false;
        Span<byte> expected = stackalloc byte[IotAuthParameters.ConfirmationSize];
        WriteConfirmation(role, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    /// <summary>Wipes the keys.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
    }
}
