using System.Security.Cryptography;
using Engine.IotAuth.Storage;
using Engine.Primitives.Kdf;
using Engine.Storage;

namespace Engine.IotAuth.Roles;

public sealed partial class OperationCenter
{
    private IOperationCenterSharedState? _shared;
    private SecretSealer? _sharedSealer;

    /// <summary>
    /// State shared with the other instances of this OC (issue #17): challenges issued here can be answered at any
    /// instance, each is used once across all, and a proof accepted anywhere is refused as a replay everywhere. Every
    /// instance must run with the same keys (signing, encryption, γ, enrolment and admin keys); the challenges' ephemeral
    /// a are sealed under a key derived from the admin key before they leave the process. Null: this instance alone.
    /// </summary>
    public IOperationCenterSharedState? SharedState
    {
        get => _shared;
        init
        {
            _shared = value;
            if (value is null) return;
            Span<byte> key = stackalloc byte[SecretSealer.KeySize];
            Kdf.Derive(_adminKey, [], "iot-oc/shared-challenges", IdBytes, key);
            _sharedSealer = new SecretSealer(key);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static string SealContext(Nonce nonce)
    {
        Span<byte> bytes = stackalloc byte[IotAuthParameters.NonceSize];
        nonce.CopyTo(bytes);
        return "iot-oc/challenge/" + Convert.ToHexStringLower(bytes);
    }

    /// <summary>Seals CH ‖ a and stores it for the other instances; false when their table is full.</summary>
    private bool ShareChallenge(PendingChallenge pending)
    {
        Span<byte> shared = stackalloc byte[pending.SharedSize];
        Span<byte> nonce = stackalloc byte[IotAuthParameters.NonceSize];
        try
        {
            pending.WriteShared(shared);
            pending.Nonce.CopyTo(nonce);
            return _shared!.PutChallenge(nonce, _sharedSealer!.Seal(shared, SealContext(pending.Nonce)), pending.ExpiresAt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>A challenge another instance issued, unsealed; null when unknown or when it does not open (then it was not ours).</summary>
    private PendingChallenge? SharedChallenge(Nonce nonce)
    {
        Span<byte> key = stackalloc byte[IotAuthParameters.NonceSize];
        nonce.CopyTo(key);
        byte[]? sealedValue = _shared!.FindChallenge(key);
        if (sealedValue is null || sealedValue.Length <= SecretSealer.Overhead) return null;
        byte[] shared = GC.AllocateArray<byte>(sealedValue.Length - SecretSealer.Overhead, pinned: true);
        try
        {
            if (_sharedSealer!.Open(sealedValue, SealContext(nonce), shared) != EngineStatus.Ok) return null;
            // The expiry is T + window, T inside CH (after its length and N_OC): recomputed here, not trusted from the row.
            if (shared.Length < 4 + IotAuthParameters.NonceSize + 8) return null;
            ulong issuedAt = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(shared.AsSpan(4 + IotAuthParameters.NonceSize));
            return PendingChallenge.FromShared(shared, issuedAt + (ulong)Options.TimestampWindow.TotalSeconds);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    private bool TakeShared(Nonce nonce)
    {
        Span<byte> key = stackalloc byte[IotAuthParameters.NonceSize];
        nonce.CopyTo(key);
        return _shared!.TakeChallenge(key);
    }
}
