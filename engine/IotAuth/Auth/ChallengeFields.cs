using System.Buffers.Binary;

namespace Engine.IotAuth.Auth;

/// <summary>
/// The challenge fields CH = N_OC ‖ T ‖ enc(Y_OC) ‖ len ‖ OC-id of SPEC.md §3.5: what the operation centre's signed
/// challenge carries besides its signature, and what the device's proof and the session key are bound to.
/// </summary>
public readonly ref struct ChallengeFields
{
    /// <summary>Bytes before the OC identifier.</summary>
    public const int FixedSize = IotAuthParameters.NonceSize + 8 + IotAuthParameters.G1Size + 2;

    private ChallengeFields(ReadOnlySpan<byte> bytes) => Bytes = bytes;

    /// <summary>All of CH.</summary>
    public ReadOnlySpan<byte> Bytes { get; }

    /// <summary>N_OC (32 bytes).</summary>
    public ReadOnlySpan<byte> Nonce => Bytes[..IotAuthParameters.NonceSize];

    /// <summary>T, Unix time in seconds.</summary>
    public ulong Timestamp => BinaryPrimitives.ReadUInt64BigEndian(Bytes[IotAuthParameters.NonceSize..]);

    /// <summary>enc(Y_OC).</summary>
    public ReadOnlySpan<byte> OperatorKey => Bytes.Slice(IotAuthParameters.NonceSize + 8, IotAuthParameters.G1Size);

    /// <summary>The UTF-8 OC identifier.</summary>
    public ReadOnlySpan<byte> OperatorId => Bytes[FixedSize..];

    /// <summary>Size of CH for an identifier of <paramref name="idBytes"/> bytes.</summary>
    public static int SizeFor(int idBytes) => FixedSize + idBytes;

    /// <summary>
    /// Reads CH: <see cref="EngineStatus.BadLength"/> when the length field disagrees with the size or the identifier is
    /// empty or longer than <see cref="IotAuthParameters.MaxIdentityBytes"/>, else Ok (Y_OC is decoded by its user).
    /// </summary>
    public static EngineStatus TryParse(ReadOnlySpan<byte> bytes, out ChallengeFields fields)
    {
        fields = default;
        if (bytes.Length < FixedSize) return EngineStatus.BadLength;
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(FixedSize - 2)..]);
        if (length == 0 || length > IotAuthParameters.MaxIdentityBytes || bytes.Length != FixedSize + length) return EngineStatus.BadLength;
        fields = new ChallengeFields(bytes);
        return EngineStatus.Ok;
    }

    /// <summary>Writes CH into <paramref name="destination"/> (exactly <see cref="SizeFor"/> bytes).</summary>
    /// <exception cref="ArgumentException">A field has the wrong size.</exception>
    public static void Write(ReadOnlySpan<byte> nonce, ulong timestamp, ReadOnlySpan<byte> operatorKey, ReadOnlySpan<byte> operatorId, Span<byte> destination)
    {
        if (nonce.Length != IotAuthParameters.NonceSize || operatorKey.Length != IotAuthParameters.G1Size
            || operatorId.Length is 0 or > IotAuthParameters.MaxIdentityBytes || destination.Length != SizeFor(operatorId.Length))
            throw new ArgumentException("A challenge field has the wrong size.", nameof(destination));
        nonce.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[IotAuthParameters.NonceSize..], timestamp);
        operatorKey.CopyTo(destination[(IotAuthParameters.NonceSize + 8)..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(FixedSize - 2)..], (ushort)operatorId.Length);
        operatorId.CopyTo(destination[FixedSize..]);
    }
}
