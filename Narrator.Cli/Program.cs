using System.CommandLine;

var root = new RootCommand("narrator — plan, extract and describe video clips with a Qwen2.5-VL model package.");
return root.Parse(args).Invoke();
