import sys

from taizhang.entry import main

sys.exit(main())
