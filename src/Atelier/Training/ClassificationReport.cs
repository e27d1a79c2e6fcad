using System.Globalization;
using System.Text;

namespace Atelier.Training;

/// <summary>
/// sklearn's classification_report(y_true, y_pred, zero_division=0) from a confusion matrix: per-class precision,
/// recall, F1 and support, accuracy, macro and support-weighted means. A ratio with a zero denominator is 0.
/// As in sklearn, a class that is neither present nor predicted is left out of the macro mean (its row is all 0).
/// </summary>
public sealed class ClassificationReport
{
    public ClassificationReport(ConfusionMatrix matrix)
    {
        int c = matrix.Classes;
        Classes = c;
        Precision = new double[c];
        Recall = new double[c];
        F1 = new double[c];
        Support = new long[c];
        Predicted = new long[c];
        TotalSupport = matrix.Total;
        Accuracy = Ratio(matrix.Correct, matrix.Total);

        int seen = 0;
        double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
        for (int k = 0; k < c; k++)
        {
            long tp = matrix[k, k];
            long support = matrix.RowSum(k), predicted = matrix.ColumnSum(k);
            Support[k] = support;
            Predicted[k] = predicted;
            Precision[k] = Ratio(tp, predicted);
            Recall[k] = Ratio(tp, support);
            // 2tp / (2tp + fp + fn), as sklearn ≥ 1.3: equals 2PR/(P+R) where both are defined.
            F1[k] = Ratio(2 * tp, support + predicted);
            if (support + predicted > 0)
            {
                seen++;
                mp += Precision[k]; mr += Recall[k]; mf += F1[k];
            }
            wp += Precision[k] * support; wr += Recall[k] * support; wf += F1[k] * support;
        }
        MacroPrecision = seen == 0 ? 0 : mp / seen;
        MacroRecall = seen == 0 ? 0 : mr / seen;
        MacroF1 = seen == 0 ? 0 : mf / seen;
        WeightedPrecision = TotalSupport == 0 ? 0 : wp / TotalSupport;
        WeightedRecall = TotalSupport == 0 ? 0 : wr / TotalSupport;
        WeightedF1 = TotalSupport == 0 ? 0 : wf / TotalSupport;
    }

    public int Classes { get; }
    public double Accuracy { get; }
    public double[] Precision { get; }
    public double[] Recall { get; }
    public double[] F1 { get; }
    /// <summary>Samples whose actual class is k.</summary>
    public long[] Support { get; }
    /// <summary>Samples predicted as class k.</summary>
    public long[] Predicted { get; }
    public long TotalSupport { get; }
    public double MacroPrecision { get; }
    public double MacroRecall { get; }
    public double MacroF1 { get; }
    public double WeightedPrecision { get; }
    public double WeightedRecall { get; }
    public double WeightedF1 { get; }

    /// <summary>The report as sklearn prints it (4 digits), with class names when given.</summary>
    public string Format(IReadOnlyList<string>? classNames = null, int digits = 4)
    {
        var names = new string[Classes];
        for (int k = 0; k < Classes; k++) names[k] = classNames is not null && k < classNames.Count ? classNames[k] : k.ToString(CultureInfo.InvariantCulture);
        int w = "weighted avg".Length;
        foreach (var n in names) w = Math.Max(w, n.Length);
        int col = Math.Max(10, digits + 6);
        string F(double v) => v.ToString("F" + digits, CultureInfo.InvariantCulture).PadLeft(col);
        string S(long v) => v.ToString(CultureInfo.InvariantCulture).PadLeft(col);

        var sb = new StringBuilder();
        sb.Append(new string(' ', w)).Append("precision".PadLeft(col)).Append("recall".PadLeft(col))
          .Append("f1-score".PadLeft(col)).Append("support".PadLeft(col)).Append("\n\n");
        for (int k = 0; k < Classes; k++)
            sb.Append(names[k].PadLeft(w)).Append(F(Precision[k])).Append(F(Recall[k])).Append(F(F1[k])).Append(S(Support[k])).Append('\n');
        sb.Append('\n');
        sb.Append("accuracy".PadLeft(w)).Append(new string(' ', 2 * col)).Append(F(Accuracy)).Append(S(TotalSupport)).Append('\n');
        sb.Append("macro avg".PadLeft(w)).Append(F(MacroPrecision)).Append(F(MacroRecall)).Append(F(MacroF1)).Append(S(TotalSupport)).Append('\n');
        sb.Append("weighted avg".PadLeft(w)).Append(F(WeightedPrecision)).Append(F(WeightedRecall)).Append(F(WeightedF1)).Append(S(TotalSupport)).Append('\n');
        return sb.ToString();
    }

    private static double Ratio(long num, long den) => den == 0 ? 0 : (double)num / den;
}
