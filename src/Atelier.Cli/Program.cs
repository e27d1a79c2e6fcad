Console.WriteLine("atelier: the command line arrives with the `atelier train` issue.");
return 0;
