using System.Numerics;
using Engine.Interop.Reference;
using NUnit.Framework;

namespace Engine.Tests.Interop;

/// <summary>The GMP and OpenSSL bindings used as oracles agree with BigInteger (so an oracle bug cannot hide an
/// engine bug).</summary>
[TestFixture, Category("Differential")]
public sealed class ReferenceBindingTests
{
    [Test]
    public void GmpAndOpenSsl_ModExp_MatchBigInteger()
    {
        if (!Gmp.IsAvailable || !OpenSsl.IsAvailable) Assert.Ignore("libgmp10 / libssl3 not installed (.ci/run installs them).");
        var rng = new Random(11);
        for (int i = 0; i < 50; i++)
        {
            byte[] mb = new byte[256], bb = new byte[256], eb = new byte[32];
            rng.NextBytes(mb); rng.NextBytes(bb); rng.NextBytes(eb);
            mb[0] |= 0x80; mb[^1] |= 1;
            BigInteger m = new(mb, true, true), b = new BigInteger(bb, true, true) % m, e = new(eb, true, true);
            BigInteger expected = BigInteger.ModPow(b, e, m);
            byte[] bRed = b.ToByteArray(true, true);

            using var gm = GmpInteger.FromBigEndian(mb);
            using var gb = GmpInteger.FromBigEndian(bRed);
            using var ge = GmpInteger.FromBigEndian(eb);
            using var gr = new GmpInteger();
            var out1 = new byte[256];
            Gmp.PowModSec(gr, gb, ge, gm);
            gr.WriteBigEndian(out1);
            Assert.That(new BigInteger(out1, true, true), Is.EqualTo(expected), "mpz_powm_sec");

            using var om = new OpenSslModulus(mb);
            using var ob = OpenSslBigNum.FromBigEndian(bRed);
            using var oe = OpenSslBigNum.FromBigEndian(eb);
            using var or = new OpenSslBigNum();
            om.ModExpConstTime(or, ob, oe);
            or.WriteBigEndian(out1);
            Assert.That(new BigInteger(out1, true, true), Is.EqualTo(expected), "BN_mod_exp_mont_consttime");
            om.ModExp(or, ob, oe);
            or.WriteBigEndian(out1);
            Assert.That(new BigInteger(out1, true, true), Is.EqualTo(expected), "BN_mod_exp_mont");
        }
    }
}
