# Frontline, English: what the case actions (staff forms and the partner's
# reply) can refuse. Every message here must also be in ../zh-TW/actions.ftl.

action-error-assignee-missing = Select who to assign the case to
action-error-status-missing = Select the new status
action-error-status-use-close-form = Use ‘Resolve or reject’ or ‘Mark as duplicate’ to close the case, so the partner gets a message
action-error-note-missing = Enter the note
action-error-reply-missing = Enter your reply to the partner
action-error-outcome-missing = Select whether the case is resolved or rejected
action-error-resolution-missing = Enter the message to the partner
action-error-original-missing = Enter the reference of the original case
action-error-original-self = The original case must be another case, not { $reference }
action-error-no-such-case = No case has the reference { $reference }
action-error-partner-reply-missing = Enter your reply
action-error-stale = This case changed since you opened it – check the latest details and try again
action-error-closed-file-new = This case is closed, so your reply was not sent. If you still need help, file a new case and mention this reference.
action-reply-label = Your reply

## Timeline entries written to the partner when a listing moves
batch-submitted-message = Submitted to the directory in the { $batch } batch. Your listing should be visible in the directory by { $date }.
batch-published-message = Published in the Learning Partner directory with the { $batch } batch.

## What a directory batch refuses (staff)
batch-error-already-submitted = The { $batch } batch has already been submitted, so it cannot be submitted again
batch-error-nothing-to-submit = The { $batch } batch has no approved requests, so there is nothing to submit
batch-error-not-submitted = The { $batch } batch has not been submitted yet – submit it before marking it published
batch-error-already-published = The { $batch } batch is already published
