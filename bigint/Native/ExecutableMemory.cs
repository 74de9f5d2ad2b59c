using System.Runtime.InteropServices;

namespace Engine.BigInt.Native;

/// <summary>
/// One page-aligned block for generated code, never writable and executable at once (W^X): mapped read-write, filled,
/// then switched to read-execute with <c>mprotect</c>. Linux x64 only; any refusal (a hardened kernel, a sandbox
/// without PROT_EXEC) makes <see cref="TryCreate"/> fail and the caller keeps its managed code. Blocks live for the
/// process (the kernels are static).
/// </summary>
internal static unsafe partial class ExecutableMemory
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4, MapPrivate = 2, MapAnonymous = 0x20;

    /// <summary>Set by tests to make the switch to read-execute fail, as a hardened kernel would.</summary>
    internal static bool SimulateProtectFailure { get; set; }

    /// <summary>
    /// Maps <paramref name="size"/> bytes read-write, lets <paramref name="fill"/> write the code for the block's address
    /// (it returns the bytes written), then makes the block read-execute. False, with the reason, on any failure.
    /// </summary>
    public static bool TryCreate(int size, Func<ulong, Span<byte>, int> fill, out nint address, out string reason)
    {
        address = 0;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            reason = "not Linux x64";
            return false;
        }
        nuint length = (nuint)((size + 4095) & ~4095);
        nint block;
        try { block = Mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = $"libc not callable: {e.Message}";
            return false;
        }
        if (block == -1)
        {
            reason = $"mmap failed (errno {Marshal.GetLastPInvokeError()})";
            return false;
        }
        int written = fill((ulong)block, new Span<byte>((void*)block, (int)length));
        if (written <= 0 || written > size || SimulateProtectFailure || Mprotect(block, length, ProtRead | ProtExec) != 0)
        {
            reason = written <= 0 || written > size ? "code generation failed" : $"mprotect(PROT_READ|PROT_EXEC) refused (errno {Marshal.GetLastPInvokeError()})";
            Munmap(block, length);
            return false;
        }
        address = block;
        reason = "";
        return true;
    }

    /// <summary>
    /// The whole life of a generated kernel block: <paramref name="assemble"/> once at address 0 to learn the size, a
    /// block mapped for it, <paramref name="assemble"/> again for the block's address, read-execute, then
    /// <paramref name="selfTest"/> on the block. False, with what went wrong ("assembler: …", the mapping's refusal, or
    /// <paramref name="selfTestFailure"/>), and nothing left mapped, if any step fails.
    /// </summary>
    public static bool TryInstall(Func<ulong, byte[]> assemble, Func<nint, bool> selfTest, string selfTestFailure,
                                  out nint address, out int size, out string failure)
    {
        address = 0;
        try { size = assemble(0).Length; }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            size = 0;
            failure = $"assembler: {e.Message}";
            return false;
        }
        if (!TryCreate(size, (rip, buffer) =>
            {
                byte[] code = assemble(rip);
                code.CopyTo(buffer);
                return code.Length;
            }, out nint block, out failure))
            return false;
        if (!selfTest(block))
        {
            Munmap(block, (nuint)((size + 4095) & ~4095));
            failure = selfTestFailure;
            return false;
        }
        address = block;
        return true;
    }

    /// <summary>The protection of the mapping that holds <paramref name="address"/>, as /proc/self/maps prints it ("r-xp"), for tests.</summary>
    internal static string? ProtectionOf(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-'), space = line.IndexOf(' ');
            ulong start = Convert.ToUInt64(line[..dash], 16), end = Convert.ToUInt64(line[(dash + 1)..space], 16);
            if ((ulong)address >= start && (ulong)address < end) return line.Substring(space + 1, 4);
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
