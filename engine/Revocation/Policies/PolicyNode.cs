namespace Engine.Revocation.Policies;

/// <summary>A node of a parsed policy: an attribute leaf or a threshold gate (AND is n of n, OR is 1 of n).</summary>
public abstract class PolicyNode
{
    private protected PolicyNode() { }

    /// <summary>Number of attribute leaves below (and including) this node.</summary>
    public abstract int LeafCount { get; }

    /// <summary>Depth of the tree below this node (a leaf has depth 1).</summary>
    public abstract int Depth { get; }

    /// <summary>Direct boolean evaluation: true when the attributes in <paramref name="owned"/> satisfy this node.</summary>
    public abstract bool IsSatisfiedBy(IReadOnlySet<string> owned);

    internal abstract void WriteCanonical(System.Text.StringBuilder text, bool nested);

    /// <summary>The canonical text: parses back to an equal tree.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder();
        WriteCanonical(text, nested: false);
        return text.ToString();
    }
}

/// <summary>An attribute <c>name@AUTHORITY</c>; the authority part names the authority that issues keys for it.</summary>
public sealed class PolicyAttribute : PolicyNode
{
    internal PolicyAttribute(string name, string authority)
    {
        Name = name;
        Authority = authority;
        Text = name + "@" + authority;
    }

    /// <summary>The attribute's name before the <c>@</c>.</summary>
    public string Name { get; }

    /// <summary>The issuing authority after the <c>@</c>.</summary>
    public string Authority { get; }

    /// <summary><c>name@AUTHORITY</c>, the attribute's identity in keys and ciphertexts.</summary>
    public string Text { get; }

    /// <inheritdoc/>
    public override int LeafCount => 1;

    /// <inheritdoc/>
    public override int Depth => 1;

    /// <inheritdoc/>
    public override bool IsSatisfiedBy(IReadOnlySet<string> owned) => owned.Contains(Text);

    internal override void WriteCanonical(System.Text.StringBuilder text, bool nested)
    {
        if (PolicyLexer.IsBareName(Name)) text.Append(Name);
        else
        {
            text.Append('"');
            foreach (char c in Name) { if (c is '"' or '\\') text.Append('\\'); text.Append(c); }
            text.Append('"');
        }
        text.Append('@').Append(Authority);
    }
}

/// <summary>A gate satisfied when at least <see cref="Threshold"/> of its children are.</summary>
public sealed class PolicyGate : PolicyNode
{
    internal PolicyGate(int threshold, IReadOnlyList<PolicyNode> children)
    {
        Threshold = threshold;
        Children = children;
        foreach (PolicyNode child in children)
        {
            LeafCount += child.LeafCount;
            Depth = Math.Max(Depth, child.Depth + 1);
        }
    }

    /// <summary>How many children must be satisfied: 1 for OR, all for AND.</summary>
    public int Threshold { get; }

    /// <summary>The gate's inputs, in the order written.</summary>
    public IReadOnlyList<PolicyNode> Children { get; }

    /// <summary>True for an AND gate (n of n).</summary>
    public bool IsAnd => Threshold == Children.Count;

    /// <summary>True for an OR gate (1 of n).</summary>
    public bool IsOr => Threshold == 1;

    /// <inheritdoc/>
    public override int LeafCount { get; }

    /// <inheritdoc/>
    public override int Depth { get; }

    /// <inheritdoc/>
    public override bool IsSatisfiedBy(IReadOnlySet<string> owned)
    {
        int satisfied = 0;
        foreach (PolicyNode child in Children) if (child.IsSatisfiedBy(owned) && ++satisfied >= Threshold) return true;
        return false;
    }

    internal override void WriteCanonical(System.Text.StringBuilder text, bool nested)
    {
        if (IsAnd || IsOr)
        {
            if (nested) text.Append('(');
            for (int i = 0; i < Children.Count; i++)
            {
                if (i > 0) text.Append(IsAnd ? " AND " : " OR ");
                Children[i].WriteCanonical(text, nested: true);
            }
            if (nested) text.Append(')');
            return;
        }
        text.Append(Threshold).Append(" of (");
        for (int i = 0; i < Children.Count; i++)
        {
            if (i > 0) text.Append(", ");
            Children[i].WriteCanonical(text, nested: false);
        }
        text.Append(')');
    }
}
