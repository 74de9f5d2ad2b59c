namespace Engine.Interop.Exports;

/// <summary>Named secret hex fields, decoded into pinned arrays and wiped on dispose.</summary>
internal sealed class SecretFields : IDisposable
{
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    public SecretFields(SecretJson config, params string[] names)
    {
        Complete = true;
        foreach (string name in names)
        {
            if (config.SecretHex(name) is { } value) _values[name] = value;
            else Complete = false;
        }
    }

    /// <summary>True when every named field was present and hex.</summary>
    public bool Complete { get; }

    public byte[] this[string name] => _values[name];

    public void Dispose()
    {
        foreach (byte[] value in _values.Values) Array.Clear(value);
    }
}
