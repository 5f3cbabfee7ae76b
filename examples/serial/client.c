/*
 * A native serial client for the emulator's sDDF serial example: greets on the serial line, echoes
 * what it receives (a carriage return shown as "\r") and reports every tenth character.
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <stdint.h>
#include <os/sddf.h>
#include <sddf/serial/queue.h>
#include <sddf/serial/config.h>
#include <sddf/util/printf.h>

/* Filled as sdfgen fills it: this client's RX and TX connections with the virtualisers. */
__attribute__((__section__(".serial_client_config"))) serial_client_config_t config;

static serial_queue_handle_t rx;
static serial_queue_handle_t tx;
static uint32_t received;

void init(void)
{
    assert(serial_config_check_magic(&config));
    serial_queue_init(&rx, config.rx.queue.vaddr, config.rx.data.size, config.rx.data.vaddr);
    serial_queue_init(&tx, config.tx.queue.vaddr, config.tx.data.size, config.tx.data.vaddr);
    serial_putchar_init(config.tx.id, &tx);
    sddf_printf("Hello world! I am %s.\nPlease give me character!\n", sddf_get_pd_name());
}

static void echo(char c)
{
    if (c == '\r') {
        sddf_putchar_unbuffered('\\');
        sddf_putchar_unbuffered('r');
    } else {
        sddf_putchar_unbuffered(c);
    }
}

void notified(sddf_channel ch)
{
    (void)ch;
    char c;
    while (serial_dequeue(&rx, &c) == 0) {
        echo(c);
        received++;
        if (received % 10 == 0) {
            sddf_printf("\n%s has received %u characters so far!\n", sddf_get_pd_name(), (unsigned)received);
        }
    }
}
