using Microsoft.AspNetCore.Http;

namespace Atelier.Server.Pages;

/// <summary>
/// `/predict`: draw on a canvas (pointer events: mouse, pen or finger) or drop / choose an image, pick a model, and see
/// the top classes as bars. predict.js asks GET /api/v1/models and POST /api/v1/predict; this page holds no model.
/// </summary>
public static class PredictPage
{
    public static IResult Render() => Layout.Page("Predict", """
        <h1>Predict</h1>
        <p class="muted">Draw a piece of clothing (light on dark, as Fashion-MNIST images are), or drop an image file on the canvas.</p>
        <div class="predict">
          <div>
            <canvas id="canvas" width="280" height="280" aria-label="drawing canvas"></canvas>
            <div class="toolbar">
              <button type="button" id="clear">Clear</button>
              <button type="button" id="predict">Predict</button>
              <label class="button" for="file">Choose an image…</label>
              <input type="file" id="file" accept="image/*" hidden>
            </div>
            <div class="toolbar"><label for="model">Model</label><select id="model"><option value="">loading…</option></select></div>
          </div>
          <div>
            <h2>Top classes</h2>
            <p id="message" class="muted">Draw something, then press Predict (or lift the pen).</p>
            <ol id="bars" class="bars"></ol>
          </div>
        </div>
        """, "predict.js");
}
