using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Groups;
using Engine.Primitives.Sigma;

namespace Engine.IotAuth.Auth;

/// <summary>
/// The device's side of anonymous authentication (SPEC.md §3.4 step 2), pairing-free: ρ, b, k1, k2 ← [1, r−1];
/// A' = A^ρ, Ā = B^ρ (= A'^γ), Y_D = g1^b, T1 = g1^k1·(A'^(−1))^k2, c = H_c(transcript), s1 = k1 + c·ρ,
/// s2 = k2 + c·m, and the session key from Y_OC^b. The Σ-proof is of (ρ, m) for Ā = g1^ρ·(A'^(−1))^m.
/// </summary>
/// <remarks>
/// Constant time in every secret (ρ, b, k1, k2, m, A). Costs five fixed-base multiplications (tables of g1, A and B;
/// A'^(−k2) = A^(−ρ·k2)) and one variable-base multiplication (Y_OC^b).
/// </remarks>
public static class DeviceProver
{
    /// <summary>
    /// Writes the 256-byte proof for the challenge fields CH and returns the session keys: the status of CH
    /// (<see cref="EngineStatus.BadLength"/>) or of Y_OC's decoding when they are bad, else Ok. The caller has
    /// checked the OC's signature over CH and its timestamp.
    /// </summary>
    public static EngineStatus Prove(DeviceCredential credential, ReadOnlySpan<byte> challengeFields, Span<byte> proof, out SessionKeys? keys)
    {
        keys = null;
        if (proof.Length != IotAuthParameters.ProofSize) return EngineStatus.BadLength;
        EngineStatus status = ChallengeFields.TryParse(challengeFields, out ChallengeFields challenge);
        if (status != EngineStatus.Ok) return status;
        status = G1Affine.Decode(challenge.OperatorKey, out G1Affine operatorKey);
        if (status != EngineStatus.Ok) return status;
        if (operatorKey.IsIdentity) return EngineStatus.IdentityElement;

        Fr rho = Fr.RandomNonZero(), b = Fr.RandomNonZero(), k1 = Fr.RandomNonZero(), k2 = Fr.RandomNonZero(), m = credential.M;
        Span<G1Projective> points = stackalloc G1Projective[4];
        points[0] = credential.TagTable.Multiply(rho);                                              // A'
        points[1] = credential.PrecomputedTable.Multiply(rho);                                      // Ā = B^ρ
        points[2] = G1FixedBase.Generator.Multiply(k1) + credential.TagTable.Multiply(-(rho * k2)); // T1
        points[3] = G1FixedBase.Generator.Multiply(b);                                              // Y_D
        Span<G1Affine> affine = stackalloc G1Affine[4];
        G1Projective.BatchToAffine(points, affine);
        affine[0].EncodeCompressed(proof[ProofLayout.APrime]);
        affine[1].EncodeCompressed(proof[ProofLayout.ABar]);
        affine[2].EncodeCompressed(proof[ProofLayout.T1]);
        affine[3].EncodeCompressed(proof[ProofLayout.DeviceKey]);

        Fr c = Challenge(proof, challenge);
        // s = k + c·x for the witnesses x = (ρ, m), through the Σ-protocol layer shared with Protocol 4.
        const int L = PrimeOrderGroup.ScalarLimbs;
        Span<ulong> witnesses = stackalloc ulong[2 * L], nonces = stackalloc ulong[2 * L], responses = stackalloc ulong[2 * L], cLimbs = stackalloc ulong[L];
        rho.ToCanonicalLimbs(witnesses[..L]);
        m.ToCanonicalLimbs(witnesses[L..]);
        k1.ToCanonicalLimbs(nonces[..L]);
        k2.ToCanonicalLimbs(nonces[L..]);
        c.ToCanonicalLimbs(cLimbs);
        SigmaProtocol.Respond(IotAuthParameters.Group, witnesses, nonces, cLimbs, responses);
        PrimeOrderGroup.EncodeScalar(responses[..L], proof[ProofLayout.S1]);
        PrimeOrderGroup.EncodeScalar(responses[L..], proof[ProofLayout.S2]);
        witnesses.Clear();
        nonces.Clear();

        Span<byte> shared = stackalloc byte[IotAuthParameters.G1Size];
        operatorKey.ToProjective().Multiply(b).ToAffine().EncodeCompressed(shared);
        keys = SessionKeys.Derive(shared, challengeFields, proof);
        shared.Clear();
        points.Clear();
        affine.Clear();
        return EngineStatus.Ok;
    }

    /// <summary>c = H_c(enc(A') ‖ enc(Ā) ‖ enc(T1) ‖ enc(Y_OC) ‖ enc(Y_D) ‖ N_OC ‖ T ‖ len ‖ OC-id).</summary>
    internal static Fr Challenge(ReadOnlySpan<byte> proof, ChallengeFields challenge)
    {
        Span<byte> transcript = stackalloc byte[ProofLayout.MaxTranscriptSize];
        int length = ProofLayout.WriteTranscript(proof, challenge, transcript);
        Span<ulong> c = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        SigmaProtocol.Challenge(IotAuthParameters.Group, transcript[..length], IotAuthParameters.ChallengeDst, c);
        return Fr.FromCanonicalLimbs(c);
    }
}
