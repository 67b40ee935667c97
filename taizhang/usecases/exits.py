"""The exit codes, apart from :mod:`taizhang.usecases.common` so that the command line's
start-up (``taizhang --version``) imports nothing more to know them."""

#: Exit codes (a public interface): 0 done, no errors; 1 done, the ledgers have errors;
#: 2 a file could not be read at all, or the use case could not run.
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
