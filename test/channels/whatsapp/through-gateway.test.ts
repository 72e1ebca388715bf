// WhatsApp through the real gateway pipeline and real pairing, with Baileys events at the socket seam:
// an unknown sender gets one pairing message and, once approved, the kept message is answered; after
// a dropped connection the offline (`append`) messages are answered and a redelivered id is not.

import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { incoming } from '../../fakes/whatsapp/fake-socket.js';
import { waitFor } from '../../helpers/wait-for.js';
import { codeIn } from '../../pairing/helpers.js';
import { ALICE, type ChannelRig, channelRig, EchoAgent, gatewayRig, OWNER, textsTo } from './helpers.js';

let rig: ChannelRig;
afterEach(async () => {
  await rig?.cleanup();
});

describe('WhatsApp through the gateway', () => {
  it('an unknown sender gets one pairing message; approval sends a notice and answers the kept message', async () => {
    rig = channelRig();
    const agent = new EchoAgent();
    const { gateway, cliPairing } = gatewayRig(rig, [agent]);
    await gateway.start();
    const sock = await rig.wa.socket(1);
    sock.open(OWNER);
    // Alice writes from her LID; Baileys gives her phone number alongside (remoteJidAlt).
    sock.deliver([
      incoming({ chat: '123456789012345@lid', remoteJidAlt: ALICE, text: 'build me a website' }),
    ]);
    await waitFor(() => textsTo(rig.wa, ALICE).length === 1, 'the pairing reply');
    const first = textsTo(rig.wa, ALICE)[0];
    const code = codeIn(first);
    expect(first).toContain(`sandgate pairing approve whatsapp ${code}`);

    sock.deliver([incoming({ chat: ALICE, text: 'hello?' })]);
    await waitFor(
      () => rig.store.inbound.listByState(['rejected']).some((r) => r.text === 'hello?'),
      'the repeat message to be settled',
    );
    expect(textsTo(rig.wa, ALICE)).toHaveLength(1);

    const cli = cliPairing();
    expect(cli.list('whatsapp')[0]?.senderId).toBe(ALICE);
    cli.approve('whatsapp', code, 'cli');
    await waitFor(
      () => textsTo(rig.wa, ALICE).includes('echo: *build me a website*'),
      'the kept message answered',
    );
    await gateway.outbox.flush(2000);
    expect(textsTo(rig.wa, ALICE)).toEqual([
      first,
      "You're approved! I'll answer your message now.",
      // The agent's Markdown **bold** arrives as WhatsApp *bold*.
      'echo: *build me a website*',
    ]);
    expect(agent.tasks).toEqual(['build me a website']);
    // Typing was shown as WhatsApp's "composing" presence in Alice's chat.
    expect(rig.wa.sockets.flatMap((s) => s.presences)).toContainEqual({ type: 'composing', jid: ALICE });
  });

  it('answers offline (append) messages after a reconnect, and a redelivered message id only once', async () => {
    rig = channelRig();
    const agent = new EchoAgent();
    const { gateway, pairing } = gatewayRig(rig, [agent]);
    pairing.allow.add('whatsapp', ALICE, 'cli');
    await gateway.start();
    const first = await rig.wa.socket(1);
    first.open(OWNER);
    const m1 = incoming({ chat: ALICE, text: 'one' });
    first.deliver([m1]);
    await waitFor(() => agent.tasks.includes('one'), 'the first answer');

    first.close(DisconnectReason.connectionLost, 'Connection was lost');
    await waitFor(() => rig.channel.status().state === 'connecting', 'connecting again');
    expect(rig.channel.status().detail).toMatch(/Connection was lost, 408/);
    const second = await rig.wa.socket(2);
    second.open(OWNER);
    expect(rig.channel.status()).toMatchObject({ state: 'connected', identity: '+15550001111' });
    // What arrived while we were away comes as `append`; WhatsApp also hands m1 back once more.
    second.deliver(
      [incoming({ chat: ALICE, text: 'two' }), incoming({ chat: ALICE, text: 'three' })],
      'append',
    );
    second.deliver([m1], 'notify');
    await waitFor(() => textsTo(rig.wa, ALICE).length === 3, 'the offline messages answered');
    await rig.channel.drained();
    await gateway.outbox.flush(2000);
    expect(agent.tasks).toEqual(['one', 'two', 'three']);
    expect(textsTo(rig.wa, ALICE)).toEqual(['echo: *one*', 'echo: *two*', 'echo: *three*']);
  });

  it('after a restart, a message id the gateway already has is not answered again', async () => {
    rig = channelRig();
    const agent = new EchoAgent();
    const { gateway, pairing } = gatewayRig(rig, [agent]);
    pairing.allow.add('whatsapp', ALICE, 'cli');
    await gateway.start();
    const sock = await rig.wa.socket(1);
    sock.open(OWNER);
    const m = incoming({ chat: ALICE, text: 'once' });
    sock.deliver([m]);
    await waitFor(() => agent.tasks.includes('once'), 'the answer');
    await gateway.outbox.flush(2000);

    await gateway.stop(2000);

    // The restarted gateway: a new channel (its in-memory ids are gone) over the same database.
    const restarted = channelRig({ home: rig.home });
    const g2 = gatewayRig(restarted, [agent]);
    await g2.gateway.start();
    const s2 = await restarted.wa.socket(1);
    s2.open(OWNER);
    s2.deliver([m], 'append');
    s2.deliver([incoming({ chat: ALICE, text: 'new' })]);
    await waitFor(() => agent.tasks.includes('new'), 'the new message answered');
    await restarted.channel.drained();
    await restarted.cleanup();
    expect(agent.tasks).toEqual(['once', 'new']);
  });
});
