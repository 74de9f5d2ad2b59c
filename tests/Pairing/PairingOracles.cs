using System.Globalization;
using System.Numerics;
using Engine.Pairing;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Tests.Pairing;

/// <summary>BigInteger views of field elements and seeded random inputs for the pairing tests.</summary>
internal static class PairingOracles
{
    public static readonly BigInteger P = BigInteger.Parse("0" + Bls12381.ModulusHex, NumberStyles.HexNumber);
    public static readonly BigInteger R = BigInteger.Parse("0" + Bls12381.OrderHex, NumberStyles.HexNumber);

    public static BigInteger RandomBelow(Random rng, BigInteger bound, int bytes)
    {
        byte[] b = new byte[bytes + 8];
        rng.NextBytes(b);
        return new BigInteger(b, isUnsigned: true) % bound;
    }

    public static Fp ToFp(BigInteger v)
    {
        byte[] be = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] buf = new byte[48];
        be.CopyTo(buf, 48 - be.Length);
        if (Fp.Decode(buf, out Fp f) != EngineStatus.Ok) throw new InvalidOperationException("not canonical");
        return f;
    }

    public static BigInteger FromFp(in Fp f)
    {
        byte[] buf = new byte[48];
        f.WriteBigEndian(buf);
        return new BigInteger(buf, isUnsigned: true, isBigEndian: true);
    }

    public static Fr ToFr(BigInteger v)
    {
        byte[] be = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] buf = new byte[32];
        be.CopyTo(buf, 32 - be.Length);
        if (Fr.Decode(buf, out Fr f) != EngineStatus.Ok) throw new InvalidOperationException("not canonical");
        return f;
    }

    public static BigInteger FromFr(in Fr f)
    {
        byte[] buf = new byte[32];
        f.WriteBigEndian(buf);
        return new BigInteger(buf, isUnsigned: true, isBigEndian: true);
    }

    public static Fp RandomFp(Random rng) => ToFp(RandomBelow(rng, P, 48));
    public static Fp2 RandomFp2(Random rng) => new(RandomFp(rng), RandomFp(rng));
    public static Fp6 RandomFp6(Random rng) => new(RandomFp2(rng), RandomFp2(rng), RandomFp2(rng));
    public static Fp12 RandomFp12(Random rng) => new(RandomFp6(rng), RandomFp6(rng));
    public static Fr RandomFr(Random rng) => ToFr(RandomBelow(rng, R, 32));

    public static G1Projective RandomG1(Random rng) => G1Projective.Generator.MultiplyVarTime(RandomFr(rng));
    public static G2Projective RandomG2(Random rng) => G2Projective.Generator.MultiplyVarTime(RandomFr(rng));

    /// <summary>A point on E(F_p) that is (with overwhelming probability) outside G1: hash an x until x³ + 4 is square.</summary>
    public static G1Affine RandomCurvePointOutsideG1(Random rng)
    {
        while (true)
        {
            Fp x = RandomFp(rng);
            byte[] enc = new byte[48];
            x.WriteBigEndian(enc);
            enc[0] |= 0x80;
            if (G1Affine.DecodeUnchecked(enc, out G1Affine p) == EngineStatus.Ok && !p.IsTorsionFree) return p;
        }
    }

    /// <summary>A point on E'(F_p²) outside G2.</summary>
    public static G2Affine RandomCurvePointOutsideG2(Random rng)
    {
        while (true)
        {
            Fp2 x = RandomFp2(rng);
            byte[] enc = new byte[96];
            x.C1.WriteBigEndian(enc.AsSpan(0, 48));
            x.C0.WriteBigEndian(enc.AsSpan(48, 48));
            enc[0] |= 0x80;
            if (G2Affine.DecodeUnchecked(enc, out G2Affine p) == EngineStatus.Ok && !p.IsTorsionFree) return p;
        }
    }
}
