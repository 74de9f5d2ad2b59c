using System.Runtime.InteropServices;

namespace Engine.Interop.Reference;

/// <summary>
/// P/Invoke bindings to the system's OpenSSL <c>libcrypto.so.3</c> BIGNUM API, a reference implementation for
/// tests and benchmarks only; the engine never calls it.
/// </summary>
public static partial class OpenSsl
{
    private const string Library = "libcrypto.so.3";

    /// <summary>True when libcrypto.so.3 can be loaded on this machine.</summary>
    public static bool IsAvailable { get; } = NativeLibrary.TryLoad(Library, out _);

    [LibraryImport(Library)] internal static partial nint BN_new();
    [LibraryImport(Library)] internal static partial void BN_clear_free(nint a);
    [LibraryImport(Library)] internal static unsafe partial nint BN_bin2bn(byte* s, int len, nint ret);
    [LibraryImport(Library)] internal static unsafe partial int BN_bn2binpad(nint a, byte* to, int tolen);
    [LibraryImport(Library)] internal static partial nint BN_CTX_new();
    [LibraryImport(Library)] internal static partial void BN_CTX_free(nint c);
    [LibraryImport(Library)] internal static partial nint BN_MONT_CTX_new();
    [LibraryImport(Library)] internal static partial int BN_MONT_CTX_set(nint mont, nint mod, nint ctx);
    [LibraryImport(Library)] internal static partial void BN_MONT_CTX_free(nint mont);
    [LibraryImport(Library)] internal static partial int BN_mod_exp_mont(nint r, nint a, nint p, nint m, nint ctx, nint mont);
    [LibraryImport(Library)] internal static partial int BN_mod_exp_mont_consttime(nint r, nint a, nint p, nint m, nint ctx, nint mont);
    [LibraryImport(Library)] internal static partial int BN_mod_mul_montgomery(nint r, nint a, nint b, nint mont, nint ctx);
    [LibraryImport(Library)] internal static partial int BN_to_montgomery(nint r, nint a, nint mont, nint ctx);
    [LibraryImport(Library)] internal static partial int BN_from_montgomery(nint r, nint a, nint mont, nint ctx);
}

/// <summary>An OpenSSL BIGNUM.</summary>
public sealed class OpenSslBigNum : IDisposable
{
    /// <summary>Creates a BIGNUM equal to zero.</summary>
    public OpenSslBigNum() => Handle = OpenSsl.BN_new();

    internal nint Handle { get; private set; }

    /// <summary>Creates a BIGNUM from big-endian bytes.</summary>
    public static OpenSslBigNum FromBigEndian(ReadOnlySpan<byte> value)
    {
        var bn = new OpenSslBigNum();
        bn.Set(value);
        return bn;
    }

    /// <summary>Sets the value from big-endian bytes.</summary>
    public unsafe void Set(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
            if (OpenSsl.BN_bin2bn(p, value.Length, Handle) == 0) throw new InvalidOperationException("BN_bin2bn failed.");
    }

    /// <summary>Writes the value big-endian, zero-padded to exactly destination.Length bytes.</summary>
    public unsafe void WriteBigEndian(Span<byte> destination)
    {
        fixed (byte* p = destination)
            if (OpenSsl.BN_bn2binpad(Handle, p, destination.Length) < 0) throw new ArgumentException("Destination too small.");
    }

    /// <summary>Frees (and clears) the BIGNUM.</summary>
    public void Dispose()
    {
        if (Handle == 0) return;
        OpenSsl.BN_clear_free(Handle);
        Handle = 0;
    }
}

/// <summary>
/// One modulus with a cached <c>BN_MONT_CTX</c> and <c>BN_CTX</c>, as an OpenSSL user doing many exponentiations
/// under one modulus would hold them. Not thread-safe (the BN_CTX is scratch).
/// </summary>
public sealed class OpenSslModulus : IDisposable
{
    private readonly OpenSslBigNum _modulus;
    private readonly nint _ctx, _mont;

    /// <summary>Sets up Montgomery arithmetic for an odd modulus given big-endian.</summary>
    public OpenSslModulus(ReadOnlySpan<byte> modulus)
    {
        _modulus = OpenSslBigNum.FromBigEndian(modulus);
        _ctx = OpenSsl.BN_CTX_new();
        _mont = OpenSsl.BN_MONT_CTX_new();
        if (OpenSsl.BN_MONT_CTX_set(_mont, _modulus.Handle, _ctx) != 1) throw new InvalidOperationException("BN_MONT_CTX_set failed.");
    }

    /// <summary>r = a^p mod m with BN_mod_exp_mont (variable time).</summary>
    public void ModExp(OpenSslBigNum r, OpenSslBigNum a, OpenSslBigNum p) => Check(OpenSsl.BN_mod_exp_mont(r.Handle, a.Handle, p.Handle, _modulus.Handle, _ctx, _mont));

    /// <summary>r = a^p mod m with BN_mod_exp_mont_consttime.</summary>
    public void ModExpConstTime(OpenSslBigNum r, OpenSslBigNum a, OpenSslBigNum p) =>
        Check(OpenSsl.BN_mod_exp_mont_consttime(r.Handle, a.Handle, p.Handle, _modulus.Handle, _ctx, _mont));

    /// <summary>r = a·b·R⁻¹ mod m with BN_mod_mul_montgomery (inputs in Montgomery form).</summary>
    public void MulMontgomery(OpenSslBigNum r, OpenSslBigNum a, OpenSslBigNum b) => Check(OpenSsl.BN_mod_mul_montgomery(r.Handle, a.Handle, b.Handle, _mont, _ctx));

    /// <summary>r = a·R mod m.</summary>
    public void ToMontgomery(OpenSslBigNum r, OpenSslBigNum a) => Check(OpenSsl.BN_to_montgomery(r.Handle, a.Handle, _mont, _ctx));

    /// <summary>r = a·R⁻¹ mod m.</summary>
    public void FromMontgomery(OpenSslBigNum r, OpenSslBigNum a) => Check(OpenSsl.BN_from_montgomery(r.Handle, a.Handle, _mont, _ctx));

    private static void Check(int ok)
    {
        if (ok != 1) throw new InvalidOperationException("OpenSSL BIGNUM call failed.");
    }

    /// <summary>Frees the native contexts.</summary>
    public void Dispose()
    {
        OpenSsl.BN_MONT_CTX_free(_mont);
        OpenSsl.BN_CTX_free(_ctx);
        _modulus.Dispose();
    }
}
