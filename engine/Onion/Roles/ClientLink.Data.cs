using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Onion.Data;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Schnorr;

namespace Engine.Onion.Roles;

public sealed partial class ClientLink
{
    /// <summary>
    /// A forward data packet for <paramref name="message"/> (SPEC.md §1.3): the header carries the expiry for every
    /// hop; the payload is encrypted once under the destination's key (the paper's format), or additionally layered
    /// per hop when <paramref name="reencryptPerHop"/> is set (SPEC [beyond]: the payload then changes at every hop);
    /// σ signs SHA-256(m) ‖ sequence.
    /// </summary>
    /// <exception cref="InvalidOperationException">The link is not established.</exception>
    /// <exception cref="ArgumentException">The message is longer than 1 MiB.</exception>
    public byte[] SealForward(ReadOnlySpan<byte> message, DateTimeOffset expiresAt, bool reencryptPerHop = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsEstablished) throw new InvalidOperationException("Complete the link first.");
        if (message.Length > DataPacket.MaxMessageBytes) throw new ArgumentException("Message too long.", nameof(message));
        int signatureSize = SchnorrSignature.SizeInBytes(Parameters.Group);
        ulong sequence = ++_sentSequence;
        byte[] packet = new byte[DataPacket.ForwardSize(message.Length, signatureSize)];
        Packet.AsSpan(0, SetupLayout.LinkIdSize).CopyTo(packet);
        BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(SetupLayout.LinkIdSize), sequence);

        long expiry = expiresAt.ToUnixTimeMilliseconds();
        var bodies = new byte[Hops][];
        for (int j = 0; j < Hops; j++)
        {
            bodies[j] = new byte[DataPacket.BlockBodySize];
            bodies[j][0] = (byte)((j == Hops - 1 ? DataPacket.FlagFinal : 0) | (reencryptPerHop ? DataPacket.FlagReencrypt : 0));
            BinaryPrimitives.WriteInt64BigEndian(bodies[j].AsSpan(1), expiry);
        }
        int headerOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize;
        SphinxHeader.Build(DataPacket.BlockSize, _keys.Select(k => k.HeaderStream).ToList(), _keys.Select(k => k.HeaderMac).ToList(),
                           sequence, bodies, packet.AsSpan(headerOffset, DataPacket.HeaderSize));

        int payloadLength = message.Length + DataPacket.TagSize;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(DataPacket.PayloadOffset - DataPacket.LengthSize), (uint)payloadLength);
        Span<byte> payload = packet.AsSpan(DataPacket.PayloadOffset, payloadLength);
        Span<byte> nonce = stackalloc byte[12];
        DataPacket.Nonce(1, sequence, nonce);
        using (var gcm = new AesGcm(_keys[Hops - 1].ForwardAead, DataPacket.TagSize))
            gcm.Encrypt(nonce, message, payload[..message.Length], payload[message.Length..], packet.AsSpan(SetupLayout.LinkIdSize, DataPacket.SequenceSize));
        if (reencryptPerHop)
            for (int j = Hops - 2; j >= 0; j--) AesCtr.Xor(_keys[j].PayloadLayer, 0, payload, sequence);

        Span<byte> digest = stackalloc byte[DataPacket.SignedDigestSize];
        DataPacket.SignedDigest(message, sequence, digest);
        SchnorrSignature.Sign(SigningKey, digest, packet.AsSpan(packet.Length - signatureSize));
        return packet;
    }

    /// <summary>
    /// Opens a backward packet from the destination: removes every relay's keystream layer, authenticates the
    /// destination's body, checks the expiry and that sequence numbers increase. <see cref="EngineStatus.BadLength"/>,
    /// <see cref="EngineStatus.Malformed"/> (another link), <see cref="EngineStatus.Replay"/>,
    /// <see cref="EngineStatus.VerificationFailed"/>, <see cref="EngineStatus.Expired"/>, or Ok.
    /// </summary>
    public EngineStatus OpenBackward(ReadOnlySpan<byte> packet, DateTimeOffset now, out byte[]? message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        message = null;
        if (!IsEstablished) return EngineStatus.Malformed;
        int bodyOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize + DataPacket.LengthSize;
        if (packet.Length < bodyOffset + 8 + DataPacket.TagSize) return EngineStatus.BadLength;
        int bodyLength = (int)BinaryPrimitives.ReadUInt32BigEndian(packet[(bodyOffset - DataPacket.LengthSize)..]);
        if (packet.Length != bodyOffset + bodyLength) return EngineStatus.BadLength;
        if (!packet[..SetupLayout.LinkIdSize].SequenceEqual(Packet.AsSpan(0, SetupLayout.LinkIdSize))) return EngineStatus.Malformed;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(packet[SetupLayout.LinkIdSize..]);
        if (sequence <= _receivedSequence) return EngineStatus.Replay;

        byte[] body = packet[bodyOffset..].ToArray();
        for (int j = 0; j < Hops - 1; j++) AesCtr.Xor(_keys[j].BackwardLayer, 0, body, sequence);
        byte[] plain = new byte[bodyLength - DataPacket.TagSize];
        Span<byte> nonce = stackalloc byte[12];
        DataPacket.Nonce(2, sequence, nonce);
        using (var gcm = new AesGcm(_keys[Hops - 1].BackwardAead, DataPacket.TagSize))
        {
            try { gcm.Decrypt(nonce, body.AsSpan(0, plain.Length), body.AsSpan(plain.Length), plain, packet.Slice(SetupLayout.LinkIdSize, DataPacket.SequenceSize)); }
            catch (AuthenticationTagMismatchException) { return EngineStatus.VerificationFailed; }
        }
        if (BinaryPrimitives.ReadInt64BigEndian(plain) <= now.ToUnixTimeMilliseconds())
        {
            CryptographicOperations.ZeroMemory(plain);
            return EngineStatus.Expired;
        }
        _receivedSequence = sequence;
        message = plain[8..];
        CryptographicOperations.ZeroMemory(plain);
        return EngineStatus.Ok;
    }
}
