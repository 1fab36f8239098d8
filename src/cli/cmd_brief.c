/* cmd_brief.c - placeholder, replaced below */
#include "cli/cli.h"
int cmd_brief(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return CLI_EXIT_FAIL;
}
