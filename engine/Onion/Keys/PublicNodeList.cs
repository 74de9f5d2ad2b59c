using System.Buffers.Binary;
using System.Text;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;

namespace Engine.Onion.Keys;

/// <summary>
/// The KGC's signed list of published identities (SPEC.md §1.1: clients verify the list before use).
/// Wire format: version 0x01 ‖ group-name length (1) ‖ group name ‖ entry count (2, big-endian) ‖ entries ‖
/// Schnorr signature of everything before it, under the KGC's list key; an entry is ID length (1) ‖ ID (UTF-8) ‖
/// enc(sD) ‖ enc(u).
/// </summary>
public static class PublicNodeList
{
    private const byte Version = 1;

    internal static byte[] Build(OnionParameters parameters, IReadOnlyList<NodeEntry> entries, SchnorrSigningKey listKey)
    {
        PrimeOrderGroup group = parameters.Group;
        byte[] name = Encoding.ASCII.GetBytes(group.Name);
        using var body = new MemoryStream();
        body.WriteByte(Version);
        body.WriteByte((byte)name.Length);
        body.Write(name);
        Span<byte> count = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(count, checked((ushort)entries.Count));
        body.Write(count);
        foreach (NodeEntry e in entries)
        {
            byte[] id = Encoding.UTF8.GetBytes(e.Id);
            body.WriteByte((byte)id.Length);
            body.Write(id);
            body.Write(e.PartialPublic);
            body.Write(e.SecretValuePublic);
        }
        int signatureSize = SchnorrSignature.SizeInBytes(group);
        byte[] list = new byte[body.Length + signatureSize];
        body.ToArray().CopyTo(list, 0);
        SchnorrSignature.Sign(listKey, list.AsSpan(0, (int)body.Length), list.AsSpan((int)body.Length));
        return list;
    }

    /// <summary>
    /// Verifies and parses a list: structure first (<see cref="EngineStatus.BadLength"/>,
    /// <see cref="EngineStatus.UnsupportedVersion"/>, <see cref="EngineStatus.Malformed"/> for another group, a
    /// truncated entry or a duplicate identity), then the signature under <paramref name="listSigningKey"/>
    /// (<see cref="EngineStatus.VerificationFailed"/>), then every key (decoding statuses). Nothing is returned
    /// unless all of it holds.
    /// </summary>
    public static EngineStatus Verify(OnionParameters parameters, ReadOnlySpan<byte> list, ReadOnlySpan<byte> listSigningKey,
                                      ReadOnlySpan<byte> masterPublicKey, out IReadOnlyList<CertificatelessPublicKey> keys)
    {
        keys = [];
        PrimeOrderGroup group = parameters.Group;
        int signatureSize = SchnorrSignature.SizeInBytes(group), e = group.ElementSizeInBytes;
        if (list.Length < 4 + signatureSize) return EngineStatus.BadLength;
        ReadOnlySpan<byte> body = list[..^signatureSize];
        if (body[0] != Version) return EngineStatus.UnsupportedVersion;
        int nameLength = body[1];
        if (body.Length < 2 + nameLength + 2) return EngineStatus.BadLength;
        if (!body.Slice(2, nameLength).SequenceEqual(Encoding.ASCII.GetBytes(group.Name))) return EngineStatus.Malformed;
        int count = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + nameLength)..]);
        int offset = 4 + nameLength;
        var entries = new List<(string Id, int Offset)>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            if (offset >= body.Length) return EngineStatus.BadLength;
            int idLength = body[offset];
            if (idLength == 0 || offset + 1 + idLength + 2 * e > body.Length) return EngineStatus.BadLength;
            string id;
            try { id = new UTF8Encoding(false, true).GetString(body.Slice(offset + 1, idLength)); }
            catch (DecoderFallbackException) { return EngineStatus.Malformed; }
            if (!seen.Add(id)) return EngineStatus.Malformed;
            entries.Add((id, offset + 1 + idLength));
            offset += 1 + idLength + 2 * e;
        }
        if (offset != body.Length) return EngineStatus.BadLength;

        EngineStatus status = SchnorrSignature.Verify(group, listSigningKey, body, list[^signatureSize..]);
        if (status != EngineStatus.Ok) return status == EngineStatus.VerificationFailed ? status : EngineStatus.VerificationFailed;

        var result = new List<CertificatelessPublicKey>(count);
        foreach ((string id, int at) in entries)
        {
            status = CertificatelessPublicKey.Create(parameters, masterPublicKey, id, body.Slice(at, e), body.Slice(at + e, e), out CertificatelessPublicKey? key);
            if (status != EngineStatus.Ok) return status;
            result.Add(key!);
        }
        keys = result;
        return EngineStatus.Ok;
    }
}
