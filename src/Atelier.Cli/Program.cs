using Atelier.Cli;

return await CommandLine.RunAsync(args);
