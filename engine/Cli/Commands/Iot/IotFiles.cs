using System.Security.Cryptography;
using Engine.IotAuth.Roles;

namespace Engine.Cli.Commands.Iot;

/// <summary>Loading and creating the Protocol 3 commands' key files, with one error style.</summary>
internal static class IotFiles
{
    public static int Fail(TextWriter output, string message)
    {
        output.WriteLine($"error: {message}");
        output.Flush();
        return 1;
    }

    /// <summary>A 32-byte secret from <paramref name="write"/>, in a pinned array.</summary>
    public static byte[] Export(SpanAction write)
    {
        byte[] b = GC.AllocateArray<byte>(32, pinned: true);
        write(b);
        return b;
    }

    public delegate void SpanAction(Span<byte> destination);

    /// <summary>
    /// The keys in <paramref name="path"/>, or new ones written there (owner-only) when it does not exist. Null (with
    /// the reason printed) when the file cannot be read or holds no valid keys.
    /// </summary>
    public static T? LoadOrCreate<T>(string path, TextWriter output, Func<SecretFile, T> import, Func<(T Value, IReadOnlyList<(string, byte[])> Secrets)> generate) where T : class
    {
        if (!File.Exists(path))
        {
            (T value, IReadOnlyList<(string, byte[])> secrets) = generate();
            try { SecretFile.Write(path, secrets); }
            finally { foreach ((_, byte[] s) in secrets) CryptographicOperations.ZeroMemory(s); }
            output.WriteLine($"created key file {path} (owner-only)");
            return value;
        }
        try
        {
            using SecretFile file = SecretFile.Read(path);
            return import(file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Fail(output, $"the key file '{path}' cannot be used: {e.Message}");
            return null;
        }
    }

    /// <summary>A file holding one random 32-byte value named <paramref name="name"/> (enrolment and admin keys), created if missing.</summary>
    public static SecretFile? LoadOrCreateRandom(string path, string name, TextWriter output)
    {
        if (!File.Exists(path))
        {
            byte[] value = GC.AllocateArray<byte>(32, pinned: true);
            RandomNumberGenerator.Fill(value);
            SecretFile.Write(path, [(name, value)]);
            CryptographicOperations.ZeroMemory(value);
            output.WriteLine($"created {name} key file {path} (owner-only): give it out of band to whoever needs it");
        }
        try
        {
            SecretFile file = SecretFile.Read(path);
            if (!file.Contains(name) || file[name].Length < 16) { file.Dispose(); Fail(output, $"'{path}' has no '{name}' key of at least 16 bytes"); return null; }
            return file;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Fail(output, $"the key file '{path}' cannot be used: {e.Message}");
            return null;
        }
    }

    /// <summary>Rewrites the OC's key file with the current epoch's γ (after a rotation).</summary>
    public static void SaveOperationCenterKeys(string path, OperationCenterKeys keys, OperationCenter oc)
    {
        byte[] gamma = GC.AllocateArray<byte>(32, pinned: true);
        uint epoch = oc.ExportTagKey(gamma);
        IReadOnlyList<(string, byte[])> secrets = keys.Secrets(epoch, gamma);
        try { SecretFile.Write(path, secrets); }
        finally
        {
            CryptographicOperations.ZeroMemory(gamma);
            foreach ((_, byte[] s) in secrets) CryptographicOperations.ZeroMemory(s);
        }
    }
}
