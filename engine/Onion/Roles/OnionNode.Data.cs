using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Onion.Data;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Schnorr;

namespace Engine.Onion.Roles;

public sealed partial class OnionNode
{
    /// <summary>
    /// A forward data packet (SPEC.md §1.3). A relay checks its header layer (γ), the expiry and the sequence
    /// number, strips its payload layer in re-encryption mode and forwards under its outgoing link id. The
    /// destination also decrypts the payload and verifies σ under the per-link key from the setup, then delivers
    /// the message. Statuses: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (unknown
    /// or unestablished link), <see cref="EngineStatus.Replay"/> (sequence not increasing),
    /// <see cref="EngineStatus.VerificationFailed"/> (header MAC, payload tag or σ), <see cref="EngineStatus.Expired"/>.
    /// A rejected packet changes nothing.
    /// </summary>
    public EngineStatus ProcessData(ReadOnlySpan<byte> packet, DateTimeOffset now, out Outgoing outgoing, out byte[]? delivered)
    {
        outgoing = default;
        delivered = null;
        int signatureSize = SchnorrSignature.SizeInBytes(_key.PublicKey.Parameters.Group);
        if (packet.Length < DataPacket.PayloadOffset + DataPacket.TagSize + signatureSize) return EngineStatus.BadLength;
        int payloadLength = (int)BinaryPrimitives.ReadUInt32BigEndian(packet[(DataPacket.PayloadOffset - DataPacket.LengthSize)..]);
        if (payloadLength > DataPacket.MaxMessageBytes + DataPacket.TagSize || packet.Length != DataPacket.PayloadOffset + payloadLength + signatureSize)
            return EngineStatus.BadLength;
        string inLinkId = Convert.ToHexStringLower(packet[..SetupLayout.LinkIdSize]);
        if (!_byInLink.TryGetValue(inLinkId, out OnionLink? link) || !link.IsEstablished || link.Keys is null) return EngineStatus.Malformed;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(packet[SetupLayout.LinkIdSize..]);

        // The link's own lifetime bounds every packet on it, whatever expiry a header claims; checked before any MAC.
        if (link.ExpiresAtUnixMs <= now.ToUnixTimeMilliseconds()) return EngineStatus.Expired;
        lock (link)
        {
            if (sequence <= link.LastForwardSequence) return EngineStatus.Replay;
            DataKeys keys = link.Keys;
            int headerOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize;
            byte[] next = packet.ToArray();
            Span<byte> body = stackalloc byte[DataPacket.BlockBodySize];
            if (!SphinxHeader.Peel(DataPacket.BlockSize, keys.HeaderStream.Span, keys.HeaderMac.Span, sequence,
                                   packet.Slice(headerOffset, DataPacket.HeaderSize), body, next.AsSpan(headerOffset, DataPacket.HeaderSize)))
                return EngineStatus.VerificationFailed;
            byte flags = body[0];
            long expires = BinaryPrimitives.ReadInt64BigEndian(body[1..]);
            if (expires <= now.ToUnixTimeMilliseconds()) return EngineStatus.Expired;
            Span<byte> payload = next.AsSpan(DataPacket.PayloadOffset, payloadLength);

            if ((flags & DataPacket.FlagFinal) == 0)
            {
                if (link.OutLinkId is null) return EngineStatus.Malformed;
                if ((flags & DataPacket.FlagReencrypt) != 0) AesCtr.Xor(keys.PayloadLayer, 0, payload, sequence);
                Convert.FromHexString(link.OutLinkId).CopyTo(next, 0);
                link.LastForwardSequence = sequence;
                outgoing = new Outgoing(SetupAction.Forward, link.NextHandle!, next);
                return EngineStatus.Ok;
            }

            if (link.LinkVerificationKey is null) return EngineStatus.Malformed;
            byte[] message = new byte[payloadLength - DataPacket.TagSize];
            Span<byte> nonce = stackalloc byte[12];
            DataPacket.Nonce(1, sequence, nonce);
            using (var gcm = new AesGcm(keys.ForwardAead, DataPacket.TagSize))
            {
                try { gcm.Decrypt(nonce, payload[..message.Length], payload[message.Length..], message, packet.Slice(SetupLayout.LinkIdSize, DataPacket.SequenceSize)); }
                catch (AuthenticationTagMismatchException) { return EngineStatus.VerificationFailed; }
            }
            EngineStatus signature = SchnorrSignature.Verify(_key.PublicKey.Parameters.Group, link.LinkVerificationKey,
                                                             DataPacket.SignedDigest(message, sequence), packet[^signatureSize..]);
            if (signature != EngineStatus.Ok)
            {
                CryptographicOperations.ZeroMemory(message);
                return EngineStatus.VerificationFailed;
            }
            link.LastForwardSequence = sequence;
            delivered = message;
            outgoing = new Outgoing(SetupAction.Deliver, link.PreviousHop, []);
            return EngineStatus.Ok;
        }
    }

    /// <summary>
    /// The destination answers on a link (SPEC.md §1.3 reverse direction): body = AES-256-GCM(expiry ‖ m') under
    /// its backward key; each relay adds a keystream layer. Returns the packet for the previous hop.
    /// </summary>
    /// <exception cref="InvalidOperationException">No established link ends here with that id.</exception>
    public Outgoing CreateBackward(string inLinkId, ReadOnlySpan<byte> message, DateTimeOffset expiresAt)
    {
        if (!_byInLink.TryGetValue(inLinkId, out OnionLink? link) || !link.IsEstablished || link.OutLinkId is not null || link.Keys is null)
            throw new InvalidOperationException("No established link ends at this node with that id.");
        if (message.Length > DataPacket.MaxMessageBytes) throw new ArgumentException("Message too long.", nameof(message));
        lock (link)
        {
            ulong sequence = ++link.LastBackwardSequence;
            byte[] packet = new byte[DataPacket.BackwardSize(message.Length)];
            Convert.FromHexString(link.InLinkId).CopyTo(packet, 0);
            BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(SetupLayout.LinkIdSize), sequence);
            int bodyOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize + DataPacket.LengthSize;
            int bodyLength = 8 + message.Length + DataPacket.TagSize;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(bodyOffset - DataPacket.LengthSize), (uint)bodyLength);
            byte[] plain = new byte[8 + message.Length];
            BinaryPrimitives.WriteInt64BigEndian(plain, expiresAt.ToUnixTimeMilliseconds());
            message.CopyTo(plain.AsSpan(8));
            Span<byte> nonce = stackalloc byte[12];
            DataPacket.Nonce(2, sequence, nonce);
            using var gcm = new AesGcm(link.Keys.BackwardAead, DataPacket.TagSize);
            gcm.Encrypt(nonce, plain, packet.AsSpan(bodyOffset, plain.Length), packet.AsSpan(bodyOffset + plain.Length, DataPacket.TagSize),
                        packet.AsSpan(SetupLayout.LinkIdSize, DataPacket.SequenceSize));
            CryptographicOperations.ZeroMemory(plain);
            return new Outgoing(SetupAction.Backward, link.PreviousHop, packet);
        }
    }

    /// <summary>
    /// A relay passes a backward packet towards the sender: adds its keystream layer and swaps the link id.
    /// <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (unknown link),
    /// <see cref="EngineStatus.Replay"/> (sequence not increasing).
    /// </summary>
    public EngineStatus ProcessBackward(ReadOnlySpan<byte> packet, out Outgoing outgoing)
    {
        outgoing = default;
        int bodyOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize + DataPacket.LengthSize;
        if (packet.Length < bodyOffset + 8 + DataPacket.TagSize) return EngineStatus.BadLength;
        int bodyLength = (int)BinaryPrimitives.ReadUInt32BigEndian(packet[(bodyOffset - DataPacket.LengthSize)..]);
        if (packet.Length != bodyOffset + bodyLength) return EngineStatus.BadLength;
        string outLinkId = Convert.ToHexStringLower(packet[..SetupLayout.LinkIdSize]);
        if (!_byOutLink.TryGetValue(outLinkId, out OnionLink? link) || !link.IsEstablished || link.Keys is null) return EngineStatus.Malformed;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(packet[SetupLayout.LinkIdSize..]);
        lock (link)
        {
            if (sequence <= link.LastBackwardSequence) return EngineStatus.Replay;
            byte[] next = packet.ToArray();
            AesCtr.Xor(link.Keys.BackwardLayer, 0, next.AsSpan(bodyOffset), sequence);
            Convert.FromHexString(link.InLinkId).CopyTo(next, 0);
            link.LastBackwardSequence = sequence;
            outgoing = new Outgoing(SetupAction.Backward, link.PreviousHop, next);
            return EngineStatus.Ok;
        }
    }
}
