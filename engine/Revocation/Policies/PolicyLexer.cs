namespace Engine.Revocation.Policies;

internal enum PolicyToken { End, Open, Close, Comma, And, Or, Of, Number, Attribute }

/// <summary>
/// Splits policy text into tokens. Attribute names are bare (letters, digits and <c>_ - . : / +</c>) or quoted with
/// <c>"</c> (backslash escapes <c>"</c> and <c>\</c>); authorities are bare. Keywords are case-insensitive.
/// </summary>
internal ref struct PolicyLexer
{
    private readonly string _text;
    private int _offset;

    public PolicyLexer(string text) { _text = text; }

    public PolicyToken Kind { get; private set; }
    public int Start { get; private set; }
    public string Name { get; private set; } = "";
    public string Authority { get; private set; } = "";
    public int Number { get; private set; }

    public static bool IsBareChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':' or '/' or '+';

    public static bool IsBareName(string name)
    {
        if (name.Length == 0 || IsKeyword(name) || char.IsAsciiDigit(name[0])) return false;
        foreach (char c in name) if (!IsBareChar(c)) return false;
        return true;
    }

    private static bool IsKeyword(string word) =>
        word.Equals("and", StringComparison.OrdinalIgnoreCase) || word.Equals("or", StringComparison.OrdinalIgnoreCase)
        || word.Equals("of", StringComparison.OrdinalIgnoreCase);

    public void Next()
    {
        while (_offset < _text.Length && char.IsWhiteSpace(_text[_offset])) _offset++;
        Start = _offset;
        if (_offset == _text.Length) { Kind = PolicyToken.End; return; }
        char c = _text[_offset];
        switch (c)
        {
            case '(': _offset++; Kind = PolicyToken.Open; return;
            case ')': _offset++; Kind = PolicyToken.Close; return;
            case ',': _offset++; Kind = PolicyToken.Comma; return;
            case '"': Name = ReadQuoted(); ReadAuthority(); Kind = PolicyToken.Attribute; return;
        }
        if (!IsBareChar(c)) throw new PolicyException(Start, $"unexpected character '{c}'", "an attribute, '(', a number or a keyword");
        while (_offset < _text.Length && IsBareChar(_text[_offset])) _offset++;
        string word = _text[Start.._offset];
        if (_offset < _text.Length && _text[_offset] == '@') { Name = word; ReadAuthority(); Kind = PolicyToken.Attribute; return; }
        if (word.Equals("and", StringComparison.OrdinalIgnoreCase)) { Kind = PolicyToken.And; return; }
        if (word.Equals("or", StringComparison.OrdinalIgnoreCase)) { Kind = PolicyToken.Or; return; }
        if (word.Equals("of", StringComparison.OrdinalIgnoreCase)) { Kind = PolicyToken.Of; return; }
        if (word.All(char.IsAsciiDigit))
        {
            if (word.Length > 4) throw new PolicyException(Start, $"threshold {word} is too large");
            Number = int.Parse(word, System.Globalization.CultureInfo.InvariantCulture);
            Kind = PolicyToken.Number;
            return;
        }
        throw new PolicyException(_offset, $"attribute '{word}' has no authority", "'@AUTHORITY' after the name");
    }

    private string ReadQuoted()
    {
        var name = new System.Text.StringBuilder();
        _offset++;
        while (true)
        {
            if (_offset == _text.Length) throw new PolicyException(Start, "unterminated quoted name", "a closing '\"'");
            char c = _text[_offset++];
            if (c == '"') break;
            if (c == '\\')
            {
                if (_offset == _text.Length || _text[_offset] is not ('"' or '\\'))
                    throw new PolicyException(_offset - 1, "bad escape in a quoted name", "'\\\"' or '\\\\'");
                c = _text[_offset++];
            }
            if (char.IsControl(c)) throw new PolicyException(_offset - 1, "control character in a quoted name");
            name.Append(c);
        }
        if (name.Length == 0) throw new PolicyException(Start, "empty attribute name");
        if (_offset == _text.Length || _text[_offset] != '@') throw new PolicyException(_offset, "quoted attribute has no authority", "'@AUTHORITY'");
        return name.ToString();
    }

    private void ReadAuthority()
    {
        int at = ++_offset;
        while (_offset < _text.Length && IsBareChar(_text[_offset])) _offset++;
        if (_offset == at) throw new PolicyException(at, "missing authority after '@'", "an authority name");
        Authority = _text[at.._offset];
    }
}

/// <summary>The character rules of names, for code outside the lexer (authority names).</summary>
internal static class PolicyLexerNames
{
    public static bool IsBareChar(char c) => PolicyLexer.IsBareChar(c);
}
