import { say, type IntentHandler } from '@dialogflow-functions/core/conversation';
import type { JobsConfig } from '@dialogflow-functions/core/jobs';
import { checkPartySize, checkReservation, explainReservation } from '../jobs/reservation';
import { emailAddress, withJobId } from './job-reply';

/**
 * make_reservation (date, time, party_size, name, email optional): asks for what is missing,
 * refuses with the reason what the restaurant cannot take (a past date, a time off the slot
 * grid, a party no slot can hold), then queues a reservation job and answers at once with its
 * id. The worker books it (checking the same rules again) and notifies.
 */
export function makeReservation(
  config: JobsConfig,
  now: () => Date = () => new Date(),
): IntentHandler {
  return async (ctx) => {
    const rules = { now: now(), config };
    const date = ctx.params.date('date');
    if (!date) {
      return say(
        ctx.params.raw('date') === undefined ? ctx.t.askDate : ctx.t.reservationDateInvalid,
      );
    }
    const time = ctx.params.time('time');
    if (!time) return say(ctx.t.askTime);
    // Date and time first, so the user hears about a closed slot before giving everything else.
    const whenRefused = checkReservation({ date, time, partySize: 1 }, rules);
    if (whenRefused) return say(explainReservation(whenRefused, ctx.t));
    const partySize = ctx.params.number('party_size');
    if (partySize === undefined) return say(ctx.t.askPartySize);
    const sizeRefused = checkPartySize(partySize, config.reservation.slotCapacity);
    if (sizeRefused) return say(explainReservation(sizeRefused, ctx.t));
    const name = ctx.params.person('name');
    if (!name || name.length > 100) return say(ctx.t.askName);

    const request = { date, time, partySize, name };
    const email = emailAddress(ctx.params.string('email'));
    const outcome = await ctx.defer({ type: 'reservation', request }, { email });
    if (!outcome.ok) {
      return say(outcome.uncertain ? ctx.t.jobUncertain(outcome) : ctx.t.reservationNotQueued);
    }
    return withJobId(
      say(ctx.t.reservationQueued({ jobId: outcome.jobId, ...request })),
      outcome.jobId,
    );
  };
}
