package dev.egressguard.client.fetch;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.Resolver;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A resolver with a fixed table and a log of its calls. A host may have a sequence of answers
 * (one per call, the last repeating) to model DNS rebinding; {@code "*"} answers any other host.
 * A host with no entry is an {@link UnknownHostException}. It never touches real DNS.
 */
final class FixedResolver implements Resolver {
    private final Map<String, List<List<IpAddress>>> answers = new HashMap<>();
    private final Map<String, Integer> served = new HashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** Answers {@code host} with {@code addresses} on every call. */
    FixedResolver answer(String host, String... addresses) {
        return answerInTurn(host, List.of(List.of(addresses)));
    }

    /** Answers {@code host} with the next list of {@code turns} on each call, the last one repeating. */
    FixedResolver answerInTurn(String host, List<List<String>> turns) {
        List<List<IpAddress>> parsed = new ArrayList<>();
        for (List<String> turn : turns) {
            List<IpAddress> t = new ArrayList<>();
            turn.forEach(a -> t.add(IpLiterals.parse(a)));
            parsed.add(t);
        }
        answers.put(host, parsed);
        return this;
    }

    @Override
    public synchronized List<IpAddress> resolve(String hostname) throws UnknownHostException {
        calls.add(hostname);
        String key = answers.containsKey(hostname) ? hostname : "*";
        List<List<IpAddress>> turns = answers.get(key);
        if (turns == null || turns.isEmpty()) {
            throw new UnknownHostException(hostname);
        }
        int n = served.merge(key, 1, Integer::sum) - 1;
        List<IpAddress> answer = turns.get(Math.min(n, turns.size() - 1));
        if (answer.isEmpty()) {
            throw new UnknownHostException(hostname);
        }
        return answer;
    }

    /** The hostnames asked for, in order. */
    List<String> calls() {
        return List.copyOf(calls);
    }
}
