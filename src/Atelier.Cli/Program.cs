using Atelier.Cli;

Terminal.UseConsole();
return CommandLine.Run(args);
