using Atelier.Autograd;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

/// <summary>Patchify and PatchMean (report 002's patch MLPs) against a naive reference and finite differences.</summary>
public sealed class PatchTests
{
    [Fact]
    public void Patchify_puts_each_patch_in_its_own_row_channel_by_channel()
    {
        // [2, 2, 4, 6] in 2x2 patches: 2 rows x 3 columns of patches per image, 2·2·2 = 8 values per patch.
        var x = new Tensor(new Shape(2, 2, 4, 6));
        for (int i = 0; i < x.Size; i++) x[i] = i;
        var y = new Patchify(2).Forward(x);
        Assert.Equal(new Shape(12, 8), y.Shape);
        for (int n = 0; n < 2; n++)
            for (int p = 0; p < 6; p++)
                for (int c = 0; c < 2; c++)
                    for (int r = 0; r < 2; r++)
                        for (int col = 0; col < 2; col++)
                        {
                            int top = p / 3 * 2, left = p % 3 * 2;
                            float pixel = x[((n * 2 + c) * 4 + top + r) * 6 + left + col];
                            Assert.Equal(pixel, y[(n * 6 + p) * 8 + (c * 2 + r) * 2 + col]);
                        }
        Tape.Clear();
    }

    [Fact]
    public void PatchMean_averages_each_images_rows()
    {
        var x = Tensor.FromArray([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60], 4, 3);
        var y = new PatchMean(2).Forward(x);
        Assert.Equal([2.5f, 3.5f, 4.5f, 25f, 35f, 45f], y.ToArray());
        Tape.Clear();
    }

    [Fact]
    public void Gradients_through_a_patch_mlp_match_finite_differences()
    {
        var rng = new Rng(5);
        var hidden = new Linear(8, 5);
        // The image is read twice (patches and a whole-image shortcut), so Patchify's backward must add to a
        // gradient the shortcut already wrote.
        var model = new Residual(new Sequential(new Patchify(2), hidden, new PatchMean(4)), new Sequential(new Flatten(), new Linear(32, 5)));
        model.ResetAllParameters(rng);
        var x = Conv2dTests.Random(rng, 3, 2, 4, 4);
        x.RequiresGrad = true;
        var g = Conv2dTests.Random(rng, 3, 5);
        GradCheck.Check(() => ConvTestLoss.WeightedSum(model.Forward(x), g), [x, hidden.Weight]);
    }

    [Fact]
    public void Patch_mlps_count_parameters_per_patch()
    {
        var model = ModelZoo.Get("mlp4").Build(new ModelOptions { Patch = 7 });
        // 49 → 500 → 250 → 250 → 10 on every 7x7 patch, weights shared by the 16 patches.
        Assert.Equal(49 * 500 + 500 + 500 * 250 + 250 + 250 * 250 + 250 + 2510, model.ParameterCount());
        Assert.Equal(new Shape(3, 10), model.OutputShape(new Shape(3, 1, 28, 28)));
    }

    [Theory]
    [InlineData("cnn", 7, "--patch applies to the fully connected models")]
    [InlineData("mlp", 5, "Patches of 5x5 pixels must tile the image exactly: 28x28 is not a multiple of 5.")]
    public void Models_and_sizes_that_patches_do_not_fit_are_refused(string model, int patch, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Get(model).Build(new ModelOptions { Patch = patch }));
        Assert.Contains(message, e.Message);
    }
}
