using System.Buffers.Binary;
using Engine.Pairing.Fields;
using Engine.Pairing.HashToCurve;

namespace Engine.IotAuth.Tags;

/// <summary>m = H_id(idlen ‖ ID ‖ epoch ‖ nonce) of SPEC.md §3.3/§3.5: the scalar a tag is issued on.</summary>
public static class TagMessage
{
    /// <summary>
    /// Computes m for a UTF-8 identifier (1 to <see cref="IotAuthParameters.MaxIdentityBytes"/> bytes), an epoch and a
    /// 32-byte nonce.
    /// </summary>
    /// <exception cref="ArgumentException">A field has the wrong size.</exception>
    public static Fr Compute(ReadOnlySpan<byte> identity, uint epoch, ReadOnlySpan<byte> nonce)
    {
        if (identity.Length is 0 or > IotAuthParameters.MaxIdentityBytes) throw new ArgumentException("The identifier must be 1 to 255 UTF-8 bytes.", nameof(identity));
        if (nonce.Length != IotAuthParameters.NonceSize) throw new ArgumentException("The nonce is 32 bytes.", nameof(nonce));
        Span<byte> input = stackalloc byte[2 + IotAuthParameters.MaxIdentityBytes + 4 + IotAuthParameters.NonceSize];
        BinaryPrimitives.WriteUInt16BigEndian(input, (ushort)identity.Length);
        identity.CopyTo(input[2..]);
        BinaryPrimitives.WriteUInt32BigEndian(input[(2 + identity.Length)..], epoch);
        nonce.CopyTo(input[(6 + identity.Length)..]);
        return HashToGroup.HashToScalar(input[..(6 + identity.Length + nonce.Length)], IotAuthParameters.HashIdDst);
    }
}
