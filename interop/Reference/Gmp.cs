using System.Runtime.InteropServices;

namespace Engine.Interop.Reference;

/// <summary>
/// P/Invoke bindings to the system's GMP (<c>libgmp.so.10</c>), a reference implementation for tests and
/// benchmarks only; the engine never calls it. GMP's public names are macros over the <c>__gmpz_</c> symbols.
/// </summary>
public static partial class Gmp
{
    private const string Library = "libgmp.so.10";

    /// <summary>True when libgmp.so.10 can be loaded on this machine.</summary>
    public static bool IsAvailable { get; } = NativeLibrary.TryLoad(Library, out _);

    [LibraryImport(Library, EntryPoint = "__gmpz_init")] internal static partial void Init(nint z);
    [LibraryImport(Library, EntryPoint = "__gmpz_clear")] internal static partial void Clear(nint z);
    [LibraryImport(Library, EntryPoint = "__gmpz_import")]
    internal static unsafe partial void Import(nint rop, nuint count, int order, nuint size, int endian, nuint nails, byte* op);
    [LibraryImport(Library, EntryPoint = "__gmpz_export")]
    internal static unsafe partial nint Export(byte* rop, nuint* countp, int order, nuint size, int endian, nuint nails, nint op);
    [LibraryImport(Library, EntryPoint = "__gmpz_sizeinbase")] internal static partial nuint SizeInBase(nint op, int @base);
    [LibraryImport(Library, EntryPoint = "__gmpz_powm")] internal static partial void PowM(nint rop, nint b, nint e, nint m);
    [LibraryImport(Library, EntryPoint = "__gmpz_powm_sec")] internal static partial void PowMSec(nint rop, nint b, nint e, nint m);
    [LibraryImport(Library, EntryPoint = "__gmpz_mul")] internal static partial void Mul(nint rop, nint a, nint b);
    [LibraryImport(Library, EntryPoint = "__gmpz_mod")] internal static partial void Mod(nint rop, nint a, nint m);
    [LibraryImport(Library, EntryPoint = "__gmpz_invert")] internal static partial int Invert(nint rop, nint a, nint m);

    /// <summary>result = b^e mod m (mpz_powm).</summary>
    public static void PowMod(GmpInteger result, GmpInteger b, GmpInteger e, GmpInteger m) => PowM(result.Handle, b.Handle, e.Handle, m.Handle);

    /// <summary>result = b^e mod m in constant time (mpz_powm_sec; odd m, e &gt; 0).</summary>
    public static void PowModSec(GmpInteger result, GmpInteger b, GmpInteger e, GmpInteger m) => PowMSec(result.Handle, b.Handle, e.Handle, m.Handle);

    /// <summary>result = a·b mod m (mpz_mul then mpz_mod).</summary>
    public static void MulMod(GmpInteger result, GmpInteger a, GmpInteger b, GmpInteger m)
    {
        Mul(result.Handle, a.Handle, b.Handle);
        Mod(result.Handle, result.Handle, m.Handle);
    }

    /// <summary>result = a⁻¹ mod m; false when no inverse exists (mpz_invert).</summary>
    public static bool InvertMod(GmpInteger result, GmpInteger a, GmpInteger m) => Invert(result.Handle, a.Handle, m.Handle) != 0;
}

/// <summary>An <c>mpz_t</c> in unmanaged memory (16 bytes: alloc, size, limb pointer).</summary>
public sealed class GmpInteger : IDisposable
{
    /// <summary>Creates a GMP integer equal to zero.</summary>
    public GmpInteger()
    {
        Handle = Marshal.AllocHGlobal(16);
        Gmp.Init(Handle);
    }

    internal nint Handle { get; private set; }

    /// <summary>Creates a GMP integer from big-endian bytes.</summary>
    public static GmpInteger FromBigEndian(ReadOnlySpan<byte> value)
    {
        var z = new GmpInteger();
        z.Set(value);
        return z;
    }

    /// <summary>Sets the value from big-endian bytes.</summary>
    public unsafe void Set(ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value) Gmp.Import(Handle, (nuint)value.Length, 1, 1, 1, 0, p);
    }

    /// <summary>Writes the value big-endian, left-padded with zeros to exactly destination.Length bytes.</summary>
    public unsafe void WriteBigEndian(Span<byte> destination)
    {
        int needed = (int)((Gmp.SizeInBase(Handle, 2) + 7) / 8);
        if (needed > destination.Length) throw new ArgumentException("Destination too small.", nameof(destination));
        destination.Clear();
        nuint count = 0;
        fixed (byte* p = destination.Slice(destination.Length - needed)) Gmp.Export(p, &count, 1, 1, 1, 0, Handle);
    }

    /// <summary>Frees the native integer.</summary>
    public void Dispose()
    {
        if (Handle == 0) return;
        Gmp.Clear(Handle);
        Marshal.FreeHGlobal(Handle);
        Handle = 0;
    }
}
