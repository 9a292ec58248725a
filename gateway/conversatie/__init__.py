"""Conversations: which message may follow which, from whom, and what is awaited by when.

**What one conversation holds** (a decision; the standard only says that ConversatieReferentienummer
is "the reference of the conversation", shared by a question and its answers, and that the optional
CrossReferentienummer is "a cross-reference of the conversation"): one conversation is the whole
sequence of messages between this gateway and **one counterpart** under one ConversatieReferentienummer,
not only a question and its answer. A Saldoverzoek, its answer (say a vooraf akkoord), the Betaalvoorstel
that follows, its answer and the SchuldregelingAkkoord all belong to one conversation, so the rules that
look back ("a SchuldregelingAkkoord only after an Akkoord or a vooraf akkoord in that conversation") have
something to look at. At most one question is open at a time; what it awaits, from whom and by when
is part of the conversation's state. A Statusverzoek and its answer form a conversation of their own
(the CrossReferentienummer may name the conversation it asks about; the gateway passes it on and
keeps no state on it). A new sequence with the same counterpart (a new Kennisgeving, a proposal
unrelated to an earlier one) is a new conversation.

The modules:

- :mod:`gateway.conversatie.tabel`: **the transition table as data** (the one source: outbound
  submission, inbound trust, deadlines, the API and the console all read it);
- :mod:`gateway.conversatie.machine`: one message applied to a conversation's state (pure);
- :mod:`gateway.conversatie.uitgaand`: the outbound check of a submission (gateway.submission);
- :mod:`gateway.conversatie.uitleg`: the table in words (version 1.1 names, the README's table);
- :mod:`gateway.conversatie.tijdlijn`: a conversation as a timeline (who sent what and when, what is
  awaited, by when, overdue) for the API and the operator console;
- :mod:`gateway.conversatie.importeren`: registering the open conversations of a previous system.
"""
