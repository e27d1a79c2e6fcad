namespace Atelier.Tuning;

/// <summary>
/// The truncated normal that TPE's Parzen estimators are made of (Optuna's _truncnorm.py, without SciPy): sampling by
/// inverting the CDF, and log densities and log masses computed from the upper tail so that far tails do not cancel to 0.
/// </summary>
internal static class TruncatedNormal
{
    private const double Sqrt2 = 1.4142135623730951;
    private static readonly double LogSqrt2Pi = 0.5 * Math.Log(2 * Math.PI);


    /// <summary>Standard normal CDF.</summary>
    public static double Phi(double x) => 0.5 * Erfc(-x / Sqrt2);

    /// <summary>log of the standard normal mass in [a, b]; uses the symmetric tail when both bounds are positive.</summary>
    public static double LogMass(double a, double b)
    {
        if (a > 0) (a, b) = (-b, -a); // the same mass, on the side where the CDF is not close to 1
        double mass = Phi(b) - Phi(a);
        return mass > 0 ? Math.Log(mass) : LogPdfStd(Math.Abs(a) < Math.Abs(b) ? a : b) + Math.Log(Math.Max(b - a, 1e-300));
    }

    private static double LogPdfStd(double z) => -0.5 * z * z - LogSqrt2Pi;

    /// <summary>
    /// log density at x of N(mu, sigma) truncated to [low, high]. With <paramref name="omitScale"/>, without the
    /// -log(sigma) term, as Optuna 3.1.0's _truncnorm.logpdf computes it (its TPE's behaviour, which TpeSampler copies
    /// by default: narrow kernels then count for less against wide ones).
    /// </summary>
    public static double LogPdf(double x, double low, double high, double mu, double sigma, bool omitScale = false)
    {
        if (x < low || x > high) return double.NegativeInfinity;
        double z = (x - mu) / sigma;
        return LogPdfStd(z) - (omitScale ? 0 : Math.Log(sigma)) - LogMass((low - mu) / sigma, (high - mu) / sigma);
    }

    /// <summary>One draw of N(mu, sigma) truncated to [low, high].</summary>
    public static double Sample(Random random, double low, double high, double mu, double sigma)
    {
        double a = (low - mu) / sigma, b = (high - mu) / sigma;
        bool flip = a > 0;
        if (flip) (a, b) = (-b, -a);
        double pa = Phi(a), pb = Phi(b);
        double z;
        if (pb - pa < 1e-300) z = a + random.NextDouble() * (b - a); // vanishing mass: nearly uniform on the sliver
        else z = InverseNormal(pa + random.NextDouble() * (pb - pa));
        z = Math.Clamp(z, a, b);
        if (flip) z = -z;
        return Math.Clamp(mu + sigma * z, low, high);
    }

    /// <summary>erfc with relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit).</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }

    /// <summary>The standard normal quantile (Acklam's rational approximation, refined by one Halley step).</summary>
    public static double InverseNormal(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        double x;
        if (p < 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p > 1 - 0.02425)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else
        {
            double q = p - 0.5, r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        double e = Phi(x) - p;
        double u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}
