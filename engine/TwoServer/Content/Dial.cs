using System.Security.Cryptography;
using Engine.Primitives.Groups;
using Engine.Primitives.Kdf;

namespace Engine.TwoServer.Content;

/// <summary>
/// The asynchronous dial of paper §5.3 (SPEC.md §2.2): Bob sends g^x to Alice through the two servers, with the
/// group split into κ parts (<see cref="Partitions.OneToManyPlan.ForDial"/>) so that a user with several accounts is
/// unlikely to hold both shares (never when κ = n); Alice answers g^y with an ordinary partition; both derive
/// k = HKDF(g^xy, salt = g^x ‖ g^y) and may seal message bodies under it end to end (<see cref="Primitives.Aead.AeadChannel"/>).
/// </summary>
/// <remarks>The secret exponent is pinned and wiped on <see cref="Dispose"/>; the received element is validated (length, range, subgroup).</remarks>
public sealed class Dial : IDisposable
{
    /// <summary>Bytes of the derived key.</summary>
    public const int KeySize = 32;

    private readonly SecretScalar _secret;

    private Dial(PrimeOrderGroup group, SecretScalar secret)
    {
        Group = group;
        _secret = secret;
        Span<ulong> element = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(_secret.Value, element);
        PublicElement = new byte[group.ElementSizeInBytes];
        group.Encode(element, PublicElement);
    }

    /// <summary>A fresh exponent and its public element (the caller's g^x, or the callee's g^y).</summary>
    public static Dial Start(PrimeOrderGroup group) => new(group, SecretScalar.Random(group));

    /// <summary>
    /// A dial from its exported exponent (<see cref="ExportSecret"/>): the caller keeps x between sending the request
    /// and reading the answer, which may be days later. <see cref="EngineStatus.BadLength"/> or
    /// <see cref="EngineStatus.ScalarOutOfRange"/> when the bytes are not a scalar in [1, q − 1].
    /// </summary>
    public static EngineStatus Restore(PrimeOrderGroup group, ReadOnlySpan<byte> secret, out Dial? dial)
    {
        dial = null;
        Span<ulong> scalar = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.DecodeNonZeroScalar(secret, scalar);
        if (status == EngineStatus.Ok) dial = new Dial(group, SecretScalar.From(scalar));
        scalar.Clear();
        return status;
    }

    /// <summary>Writes the exponent (big-endian, <see cref="PrimeOrderGroup.ScalarSizeInBytes"/> bytes): a secret, to be kept like a key.</summary>
    public void ExportSecret(Span<byte> destination)
    {
        if (destination.Length != PrimeOrderGroup.ScalarSizeInBytes) throw new ArgumentException($"The exponent has {PrimeOrderGroup.ScalarSizeInBytes} bytes.", nameof(destination));
        PrimeOrderGroup.EncodeScalar(_secret.Value, destination);
    }

    /// <summary>The group.</summary>
    public PrimeOrderGroup Group { get; }

    /// <summary>g^x (or g^y), encoded: what travels in the dial record.</summary>
    public byte[] PublicElement { get; }

    /// <summary>
    /// The shared key from the peer's element: the peer's decoding status, or Ok with
    /// HKDF(enc(peer^secret), salt = request ‖ answer, "two-server/dial") in <paramref name="key"/>.
    /// <paramref name="asCaller"/> orders the salt (the caller's element first).
    /// </summary>
    public EngineStatus DeriveKey(ReadOnlySpan<byte> peerElement, bool asCaller, Span<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"The key has {KeySize} bytes.", nameof(key));
        Span<ulong> peer = stackalloc ulong[Group.ElementLimbs], shared = stackalloc ulong[Group.ElementLimbs];
        EngineStatus status = Group.Decode(peerElement, peer);
        if (status != EngineStatus.Ok) return status;
        Group.Pow(peer, _secret.Value, shared);
        byte[] ikm = new byte[Group.ElementSizeInBytes], salt = new byte[2 * Group.ElementSizeInBytes];
        Group.Encode(shared, ikm);
        (asCaller ? PublicElement : peerElement).CopyTo(salt);
        (asCaller ? peerElement : PublicElement).CopyTo(salt.AsSpan(Group.ElementSizeInBytes));
        Kdf.Derive(ikm, salt, "two-server/dial", default, key);
        CryptographicOperations.ZeroMemory(ikm);
        shared.Clear();
        return EngineStatus.Ok;
    }

    /// <summary>Wipes the exponent.</summary>
    public void Dispose() => _secret.Dispose();
}
