using System.Security.Cryptography;
using Engine.Pairing.Pairings;
using Engine.Primitives.Kdf;

namespace Engine.Revocation.Abe;

/// <summary>The KEM → DEM step: the AES-256-GCM key is HKDF(e(g1,g2)^s; salt = ciphertext id; info = label ‖ AAD).</summary>
internal static class AbeKem
{
    public const int DemKeySize = 32;

    public static void DeriveDemKey(in Gt kemKey, AbeCiphertextHeader header, Span<byte> demKey)
    {
        Span<byte> encoded = stackalloc byte[Gt.SizeInBytes];
        Span<byte> aad = stackalloc byte[32];
        kemKey.Encode(encoded);
        header.ComputeAad(aad);
        Kdf.Derive(encoded, header.Id, RevocationParameters.DemKeyLabel, aad, demKey);
        CryptographicOperations.ZeroMemory(encoded);
    }
}
