def greet(who): return "plugin greets " + who
