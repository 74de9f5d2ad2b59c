using Engine.Pairing.Fields;
using Engine.Pairing.HashToCurve;
using Engine.Primitives.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>The ring signature's hashes into Z_r: û = H_attr(u ‖ ring id ‖ epoch) and μ = H(M ‖ Υ).</summary>
internal static class RingHashes
{
    public static Fr Attribute(string attribute, string ringId, ulong epoch)
    {
        var w = new WireWriter(RevocationParameters.Version).Name(attribute).Name(ringId).UInt64(epoch);
        return HashToGroup.HashToScalar(w.WrittenSpan, RevocationParameters.RingAttributeDst);
    }

    /// <summary>μ binds the message, the policy text, the ring (id, epoch) and the signature authority.</summary>
    public static Fr Message(ReadOnlySpan<byte> message, string policy, string ringId, ulong epoch, string authority)
    {
        var w = new WireWriter(RevocationParameters.Version).Blob(message).Blob(System.Text.Encoding.UTF8.GetBytes(policy))
            .Name(ringId).UInt64(epoch).Name(authority);
        return HashToGroup.HashToScalar(w.WrittenSpan, RevocationParameters.RingMessageDst);
    }
}
