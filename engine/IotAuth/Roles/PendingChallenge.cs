using System.Security.Cryptography;
using Engine.IotAuth.Auth;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.IotAuth.Roles;

/// <summary>
/// A challenge the OC sent and has not seen answered (SPEC.md §3.4 step 1): N_OC, T, Y_OC = g1^a and the CH bytes,
/// with the ephemeral a kept in pinned memory until the answer arrives or the challenge expires (then wiped:
/// forward secrecy).
/// </summary>
internal sealed class PendingChallenge : IDisposable
{
    private readonly byte[] _a = GC.AllocateArray<byte>(IotAuthParameters.ScalarSize, pinned: true);

    private PendingChallenge(byte[] fields, ulong expiresAt)
    {
        Fields = fields;
        ExpiresAt = expiresAt;
        Nonce = new Nonce(fields.AsSpan(0, IotAuthParameters.NonceSize));
    }

    /// <summary>CH.</summary>
    public byte[] Fields { get; }

    /// <summary>N_OC as a key.</summary>
    public Nonce Nonce { get; }

    /// <summary>Unix seconds after which the answer is refused.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>A fresh challenge at time <paramref name="now"/>: N_OC random, a ← [1, r−1], Y_OC = g1^a.</summary>
    public static PendingChallenge Create(ReadOnlySpan<byte> operatorId, ulong now, TimeSpan window)
    {
        Fr a = Fr.RandomNonZero();
        Span<byte> nonce = stackalloc byte[IotAuthParameters.NonceSize], y = stackalloc byte[IotAuthParameters.G1Size];
        RandomNumberGenerator.Fill(nonce);
        G1FixedBase.Generator.Multiply(a).ToAffine().EncodeCompressed(y);
        byte[] fields = new byte[ChallengeFields.SizeFor(operatorId.Length)];
        ChallengeFields.Write(nonce, now, y, operatorId, fields);
        var pending = new PendingChallenge(fields, now + (ulong)window.TotalSeconds);
        a.WriteBigEndian(pending._a);
        return pending;
    }

    /// <summary>Bytes of <see cref="WriteShared"/>'s output: CH's length (4) ‖ CH ‖ a.</summary>
    public int SharedSize => 4 + Fields.Length + IotAuthParameters.ScalarSize;

    /// <summary>CH and a, for the instances of one OC to share (the caller seals it and wipes this buffer).</summary>
    public void WriteShared(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(destination, Fields.Length);
        Fields.CopyTo(destination[4..]);
        _a.CopyTo(destination[(4 + Fields.Length)..]);
    }

    /// <summary>A challenge another instance issued, from <see cref="WriteShared"/>'s bytes; null when they do not parse.</summary>
    public static PendingChallenge? FromShared(ReadOnlySpan<byte> shared, ulong expiresAt)
    {
        if (shared.Length < 4) return null;
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(shared);
        if (length < IotAuthParameters.NonceSize || shared.Length != 4 + length + IotAuthParameters.ScalarSize) return null;
        var pending = new PendingChallenge(shared.Slice(4, length).ToArray(), expiresAt);
        shared[(4 + length)..].CopyTo(pending._a);
        return pending;
    }

    /// <summary>enc(Y_D^a), constant time in a.</summary>
    public void SharedSecret(in G1Projective deviceKey, Span<byte> destination)
    {
        Fr.Decode(_a, out Fr a);
        deviceKey.Multiply(a).ToAffine().EncodeCompressed(destination);
    }

    /// <summary>Wipes a.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_a);
}
