namespace Engine.IotAuth.Auth;

/// <summary>Offsets of the 256-byte proof A' ‖ Ā ‖ T1 ‖ s1 ‖ s2 ‖ Y_D (SPEC.md §3.5).</summary>
public static class ProofLayout
{
    /// <summary>A' = A^ρ.</summary>
    public static Range APrime => 0..48;

    /// <summary>Ā = A'^γ.</summary>
    public static Range ABar => 48..96;

    /// <summary>The commitment T1.</summary>
    public static Range T1 => 96..144;

    /// <summary>s1 = k1 + c·ρ.</summary>
    public static Range S1 => 144..176;

    /// <summary>s2 = k2 + c·m.</summary>
    public static Range S2 => 176..208;

    /// <summary>Y_D = g1^b.</summary>
    public static Range DeviceKey => 208..256;

    /// <summary>
    /// Writes the Fiat–Shamir input enc(A') ‖ enc(Ā) ‖ enc(T1) ‖ enc(Y_OC) ‖ enc(Y_D) ‖ N_OC ‖ T ‖ len ‖ OC-id into
    /// <paramref name="destination"/> and returns its length (<see cref="TranscriptSize"/>).
    /// </summary>
    public static int WriteTranscript(ReadOnlySpan<byte> proof, ChallengeFields challenge, Span<byte> destination)
    {
        proof[..144].CopyTo(destination);
        challenge.OperatorKey.CopyTo(destination[144..]);
        proof[DeviceKey].CopyTo(destination[192..]);
        challenge.Nonce.CopyTo(destination[240..]);
        // T ‖ len ‖ OC-id are contiguous in CH.
        ReadOnlySpan<byte> rest = challenge.Bytes[IotAuthParameters.NonceSize..(IotAuthParameters.NonceSize + 8)];
        rest.CopyTo(destination[272..]);
        challenge.Bytes[(ChallengeFields.FixedSize - 2)..].CopyTo(destination[280..]);
        return TranscriptSize(challenge.OperatorId.Length);
    }

    /// <summary>Bytes of the Fiat–Shamir input for an OC identifier of <paramref name="idBytes"/> bytes.</summary>
    public static int TranscriptSize(int idBytes) => 5 * IotAuthParameters.G1Size + IotAuthParameters.NonceSize + 8 + 2 + idBytes;

    /// <summary>Largest Fiat–Shamir input.</summary>
    public const int MaxTranscriptSize = 5 * IotAuthParameters.G1Size + IotAuthParameters.NonceSize + 8 + 2 + IotAuthParameters.MaxIdentityBytes;
}
