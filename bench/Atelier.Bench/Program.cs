Console.WriteLine("Atelier.Bench");
return 0;
