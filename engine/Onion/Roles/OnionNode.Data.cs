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
    /// A forward data packet (SPEC.md §1.3), copied: see the in-place overload for the checks. On success
    /// <paramref name="outgoing"/> holds the packet for the next hop, or at the destination
    /// <paramref name="delivered"/> holds the message.
    /// </summary>
    public EngineStatus ProcessData(ReadOnlySpan<byte> packet, DateTimeOffset now, out Outgoing outgoing, out byte[]? delivered)
    {
        outgoing = default;
        delivered = null;
        byte[] copy = packet.ToArray();
        EngineStatus status = ProcessData(copy, now, out DataRoute route);
        if (status != EngineStatus.Ok) return status;
        if (route.Action == SetupAction.Deliver)
        {
            delivered = copy.AsSpan(route.MessageOffset, route.MessageLength).ToArray();
            CryptographicOperations.ZeroMemory(copy);
            outgoing = new Outgoing(SetupAction.Deliver, route.Destination, []);
        }
        else outgoing = new Outgoing(route.Action, route.Destination, copy);
        return EngineStatus.Ok;
    }

    /// <summary>
    /// A forward data packet (SPEC.md §1.3), processed in place. A relay checks its header layer (γ), the expiry and
    /// the sequence number, strips its payload layer in re-encryption mode and rewrites the packet for the next hop
    /// under its outgoing link id: nothing is allocated. The destination also decrypts the payload in place and
    /// verifies σ under the per-link key from the setup; <paramref name="route"/> then says where the message lies.
    /// Statuses: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (unknown or
    /// unestablished link), <see cref="EngineStatus.Expired"/>, <see cref="EngineStatus.Replay"/> (sequence not
    /// increasing), <see cref="EngineStatus.VerificationFailed"/> (header MAC, payload tag or σ). A rejected packet
    /// changes no link state; a relay leaves its bytes untouched, the destination wipes a payload it decrypted.
    /// </summary>
    public EngineStatus ProcessData(Span<byte> packet, DateTimeOffset now, out DataRoute route)
    {
        route = default;
        int signatureSize = _signatureSize;
        if (packet.Length < DataPacket.PayloadOffset + DataPacket.TagSize + signatureSize) return EngineStatus.BadLength;
        int payloadLength = (int)BinaryPrimitives.ReadUInt32BigEndian(packet[(DataPacket.PayloadOffset - DataPacket.LengthSize)..]);
        if (payloadLength > DataPacket.MaxMessageBytes + DataPacket.TagSize || packet.Length != DataPacket.PayloadOffset + payloadLength + signatureSize)
            return EngineStatus.BadLength;
        if (!_byInLink.TryGetValue(LinkId.Read(packet), out OnionLink? link) || !link.IsEstablished || link.Keys is null) return EngineStatus.Malformed;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(packet[SetupLayout.LinkIdSize..]);
        long nowMs = now.ToUnixTimeMilliseconds();

        // The link's own lifetime bounds every packet on it, whatever expiry a header claims; checked before any MAC.
        if (link.ExpiresAtUnixMs <= nowMs) return EngineStatus.Expired;
        lock (link)
        {
            if (sequence <= link.LastForwardSequence) return EngineStatus.Replay;
            DataKeys keys = link.Keys;
            Span<byte> header = packet.Slice(SetupLayout.LinkIdSize + DataPacket.SequenceSize, DataPacket.HeaderSize);
            if (!keys.HeaderMacMatches(sequence, header)) return EngineStatus.VerificationFailed;
            Span<byte> body = stackalloc byte[DataPacket.BlockBodySize];
            SphinxHeader.ReadBody(keys.HeaderStream.Span, sequence, header, body);
            byte flags = body[0];
            long expires = BinaryPrimitives.ReadInt64BigEndian(body[1..]);
            if (expires <= nowMs) return EngineStatus.Expired;
            bool final = (flags & DataPacket.FlagFinal) != 0;
            if (!final && link.NextHandle is null) return EngineStatus.Malformed;
            if (final && link.LinkVerificationKey is null) return EngineStatus.Malformed;
            Span<byte> payload = packet.Slice(DataPacket.PayloadOffset, payloadLength);

            if (!final)
            {
                SphinxHeader.ShiftInPlace(DataPacket.BlockSize, keys.HeaderStream.Span, sequence, header);
                if ((flags & DataPacket.FlagReencrypt) != 0) AesCtr.Xor(keys.PayloadLayer, 0, payload, sequence);
                LinkId.Write(link.OutId, packet);
                link.LastForwardSequence = sequence;
                route = new DataRoute(SetupAction.Forward, link.NextHandle!, 0, 0);
                return EngineStatus.Ok;
            }

            int messageLength = payloadLength - DataPacket.TagSize;
            Span<byte> message = payload[..messageLength];
            Span<byte> nonce = stackalloc byte[12];
            DataPacket.Nonce(1, sequence, nonce);
            if (!keys.OpenForward(nonce, message, payload[messageLength..], packet.Slice(SetupLayout.LinkIdSize, DataPacket.SequenceSize)))
                return EngineStatus.VerificationFailed;
            Span<byte> digest = stackalloc byte[DataPacket.SignedDigestSize];
            DataPacket.SignedDigest(message, sequence, digest);
            if (SchnorrSignature.Verify(_key.PublicKey.Parameters.Group, link.LinkVerificationKey, digest, packet[^signatureSize..]) != EngineStatus.Ok)
            {
                CryptographicOperations.ZeroMemory(message);
                return EngineStatus.VerificationFailed;
            }
            link.LastForwardSequence = sequence;
            route = new DataRoute(SetupAction.Deliver, link.PreviousHop, DataPacket.PayloadOffset, messageLength);
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
        if (!LinkId.TryParse(inLinkId, out UInt128 id) || !_byInLink.TryGetValue(id, out OnionLink? link) || !link.IsEstablished || link.OutLinkId is not null || link.Keys is null)
            throw new InvalidOperationException("No established link ends at this node with that id.");
        if (message.Length > DataPacket.MaxMessageBytes) throw new ArgumentException("Message too long.", nameof(message));
        lock (link)
        {
            ulong sequence = ++link.LastBackwardSequence;
            byte[] packet = new byte[DataPacket.BackwardSize(message.Length)];
            LinkId.Write(link.InId, packet);
            BinaryPrimitives.WriteUInt64BigEndian(packet.AsSpan(SetupLayout.LinkIdSize), sequence);
            int bodyOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize + DataPacket.LengthSize;
            int bodyLength = 8 + message.Length + DataPacket.TagSize;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(bodyOffset - DataPacket.LengthSize), (uint)bodyLength);
            byte[] plain = new byte[8 + message.Length];
            BinaryPrimitives.WriteInt64BigEndian(plain, expiresAt.ToUnixTimeMilliseconds());
            message.CopyTo(plain.AsSpan(8));
            Span<byte> nonce = stackalloc byte[12];
            DataPacket.Nonce(2, sequence, nonce);
            link.Keys.SealBackward(nonce, plain, packet.AsSpan(bodyOffset, plain.Length), packet.AsSpan(bodyOffset + plain.Length, DataPacket.TagSize),
                        packet.AsSpan(SetupLayout.LinkIdSize, DataPacket.SequenceSize));
            CryptographicOperations.ZeroMemory(plain);
            return new Outgoing(SetupAction.Backward, link.PreviousHop, packet);
        }
    }

    /// <summary>A backward packet, copied: see the in-place overload.</summary>
    public EngineStatus ProcessBackward(ReadOnlySpan<byte> packet, DateTimeOffset now, out Outgoing outgoing)
    {
        outgoing = default;
        byte[] copy = packet.ToArray();
        EngineStatus status = ProcessBackward(copy, now, out DataRoute route);
        if (status == EngineStatus.Ok) outgoing = new Outgoing(SetupAction.Backward, route.Destination, copy);
        return status;
    }

    /// <summary>
    /// A relay passes a backward packet towards the sender, in place: adds its keystream layer and swaps the link
    /// id, allocating nothing. <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (unknown
    /// link), <see cref="EngineStatus.Expired"/> (the link's lifetime is over), <see cref="EngineStatus.Replay"/>
    /// (sequence not increasing). A rejected packet is left as it was.
    /// </summary>
    public EngineStatus ProcessBackward(Span<byte> packet, DateTimeOffset now, out DataRoute route)
    {
        route = default;
        int bodyOffset = SetupLayout.LinkIdSize + DataPacket.SequenceSize + DataPacket.LengthSize;
        if (packet.Length < bodyOffset + 8 + DataPacket.TagSize) return EngineStatus.BadLength;
        int bodyLength = (int)BinaryPrimitives.ReadUInt32BigEndian(packet[(bodyOffset - DataPacket.LengthSize)..]);
        if (packet.Length != bodyOffset + bodyLength) return EngineStatus.BadLength;
        if (!_byOutLink.TryGetValue(LinkId.Read(packet), out OnionLink? link) || !link.IsEstablished || link.Keys is null) return EngineStatus.Malformed;
        if (link.ExpiresAtUnixMs <= now.ToUnixTimeMilliseconds()) return EngineStatus.Expired;
        ulong sequence = BinaryPrimitives.ReadUInt64BigEndian(packet[SetupLayout.LinkIdSize..]);
        lock (link)
        {
            if (sequence <= link.LastBackwardSequence) return EngineStatus.Replay;
            AesCtr.Xor(link.Keys.BackwardLayer, 0, packet[bodyOffset..], sequence);
            LinkId.Write(link.InId, packet);
            link.LastBackwardSequence = sequence;
            route = new DataRoute(SetupAction.Backward, link.PreviousHop, 0, 0);
            return EngineStatus.Ok;
        }
    }
}
