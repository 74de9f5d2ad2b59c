namespace Engine.Revocation.Policies;

/// <summary>
/// Recursive descent over the grammar
/// <code>
/// or     := and ("OR" and)*
/// and    := unary ("AND" unary)*
/// unary  := attribute | "(" or ")" | k "of" "(" or ("," or)* ")"
/// </code>
/// AND binds tighter than OR; chains of one operator become one gate; "k of" gates need 1 ≤ k ≤ n.
/// Limits are checked as the tree grows, so rejected input never costs more than one pass.
/// </summary>
internal ref struct PolicyParser
{
    private PolicyLexer _lexer;
    private readonly PolicyLimits _limits;
    private int _leaves;

    private PolicyParser(string text, PolicyLimits limits)
    {
        _lexer = new PolicyLexer(text);
        _limits = limits;
    }

    public static PolicyNode Parse(string text, PolicyLimits limits)
    {
        if (text.Length > limits.MaxLength) throw new PolicyException(limits.MaxLength, $"policy longer than {limits.MaxLength} characters");
        var parser = new PolicyParser(text, limits);
        parser._lexer.Next();
        if (parser._lexer.Kind == PolicyToken.End) throw new PolicyException(0, "empty policy", "an attribute");
        PolicyNode root = parser.ParseOr(1);
        if (parser._lexer.Kind != PolicyToken.End)
            throw new PolicyException(parser._lexer.Start, "unexpected " + Describe(parser._lexer.Kind), "AND, OR or the end of the policy");
        return root;
    }

    private PolicyNode ParseOr(int depth)
    {
        PolicyNode first = ParseAnd(depth);
        if (_lexer.Kind != PolicyToken.Or) return first;
        var children = new List<PolicyNode> { first };
        while (_lexer.Kind == PolicyToken.Or)
        {
            _lexer.Next();
            children.Add(ParseAnd(depth));
        }
        return Gate(1, children, depth);
    }

    private PolicyNode ParseAnd(int depth)
    {
        PolicyNode first = ParseUnary(depth);
        if (_lexer.Kind != PolicyToken.And) return first;
        var children = new List<PolicyNode> { first };
        while (_lexer.Kind == PolicyToken.And)
        {
            _lexer.Next();
            children.Add(ParseUnary(depth));
        }
        return Gate(children.Count, children, depth);
    }

    private PolicyNode ParseUnary(int depth)
    {
        int start = _lexer.Start;
        switch (_lexer.Kind)
        {
            case PolicyToken.Attribute:
            {
                var leaf = new PolicyAttribute(_lexer.Name, _lexer.Authority);
                if (System.Text.Encoding.UTF8.GetByteCount(leaf.Text) > _limits.MaxAttributeBytes)
                    throw new PolicyException(start, $"attribute longer than {_limits.MaxAttributeBytes} bytes");
                if (++_leaves > _limits.MaxLeaves) throw new PolicyException(start, $"more than {_limits.MaxLeaves} attributes");
                _lexer.Next();
                return leaf;
            }
            case PolicyToken.Open:
            {
                if (depth >= _limits.MaxDepth) throw new PolicyException(start, $"nested deeper than {_limits.MaxDepth}");
                _lexer.Next();
                PolicyNode inner = ParseOr(depth + 1);
                Expect(PolicyToken.Close, "')'");
                return inner;
            }
            case PolicyToken.Number:
            {
                if (depth >= _limits.MaxDepth) throw new PolicyException(start, $"nested deeper than {_limits.MaxDepth}");
                int k = _lexer.Number;
                _lexer.Next();
                Expect(PolicyToken.Of, "'of' after the threshold");
                Expect(PolicyToken.Open, "'(' after 'of'");
                var children = new List<PolicyNode> { ParseOr(depth + 1) };
                while (_lexer.Kind == PolicyToken.Comma)
                {
                    _lexer.Next();
                    children.Add(ParseOr(depth + 1));
                }
                Expect(PolicyToken.Close, "',' or ')'");
                if (k < 1 || k > children.Count)
                    throw new PolicyException(start, $"threshold {k} of {children.Count} inputs", $"a threshold from 1 to {children.Count}");
                return Gate(k, children, depth);
            }
            default:
                throw new PolicyException(start, "unexpected " + Describe(_lexer.Kind), "an attribute, '(' or 'k of ('");
        }
    }

    private static PolicyNode Gate(int threshold, List<PolicyNode> children, int depth)
    {
        if (children.Count == 1) return children[0];
        // Flatten a AND (b AND c) and a OR (b OR c): the same gate, fewer LSSS columns.
        bool isAnd = threshold == children.Count, isOr = threshold == 1;
        var flat = new List<PolicyNode>(children.Count);
        foreach (PolicyNode child in children)
        {
            if (child is PolicyGate gate && ((isAnd && gate.IsAnd) || (isOr && gate.IsOr))) flat.AddRange(gate.Children);
            else flat.Add(child);
        }
        return new PolicyGate(isAnd ? flat.Count : threshold, flat);
    }

    private void Expect(PolicyToken kind, string expected)
    {
        if (_lexer.Kind != kind) throw new PolicyException(_lexer.Start, "unexpected " + Describe(_lexer.Kind), expected);
        _lexer.Next();
    }

    private static string Describe(PolicyToken kind) => kind switch
    {
        PolicyToken.End => "end of the policy",
        PolicyToken.Open => "'('",
        PolicyToken.Close => "')'",
        PolicyToken.Comma => "','",
        PolicyToken.And => "AND",
        PolicyToken.Or => "OR",
        PolicyToken.Of => "'of'",
        PolicyToken.Number => "a number",
        _ => "an attribute",
    };
}
