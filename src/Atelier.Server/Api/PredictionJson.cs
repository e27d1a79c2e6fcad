namespace Atelier.Server.Api;

/// <summary>A class and its probability.</summary>
public sealed record ClassProbability(string Class, int Index, double Probability);

/// <summary>One image's answer: its top class and the top-k classes, most probable first.</summary>
public sealed record ImagePrediction(string Image, string Class, double Probability, IReadOnlyList<ClassProbability> Top);

/// <summary>The answer of POST /api/v1/predict, one entry per image in the order sent.</summary>
public sealed record PredictionResponse(string Model, IReadOnlyList<ImagePrediction> Predictions);
