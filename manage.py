#!/usr/bin/env python
from eiphub.cli import main

if __name__ == "__main__":
    main()
