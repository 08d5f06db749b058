package dev.egressguard.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortSetTest {

    private static PortSet ranges(int... pairs) {
        List<int[]> list = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            list.add(new int[] {pairs[i], pairs[i + 1]});
        }
        return PortSet.of(list);
    }

    @Test
    void singlePortsSortAndMerge() {
        assertThat(PortSet.of(443, 80).entries()).containsExactly("80", "443");
        assertThat(PortSet.of(80, 80).entries()).containsExactly("80");
        assertThat(PortSet.of(81, 80, 82).entries()).containsExactly("80-82");
        assertThat(PortSet.of(80, 443).toString()).isEqualTo("80, 443");
    }

    @Test
    void rangesMergeWhenTheyOverlapOrTouch() {
        assertThat(ranges(8000, 8999, 9000, 9100).entries()).containsExactly("8000-9100");
        assertThat(ranges(1, 10, 5, 7).entries()).containsExactly("1-10");
        assertThat(ranges(5, 7, 1, 10).entries()).containsExactly("1-10");
        assertThat(ranges(1, 10, 10, 20).entries()).containsExactly("1-20");
        assertThat(ranges(1, 10, 12, 20).entries()).containsExactly("1-10", "12-20");
        assertThat(ranges(100, 200, 1, 5, 150, 300, 6, 6).entries()).containsExactly("1-6", "100-300");
    }

    @Test
    void mergingDoesNotMutateTheCallersArrays() {
        int[] a = {1, 10};
        int[] b = {5, 20};
        PortSet.of(List.of(a, b));
        assertThat(a).containsExactly(1, 10);
        assertThat(b).containsExactly(5, 20);
    }

    @Test
    void everyPortIsAny() {
        assertThat(PortSet.ANY.isAny()).isTrue();
        assertThat(PortSet.ANY.entries()).containsExactly("any");
        assertThat(ranges(1, 65535)).isSameAs(PortSet.ANY);
        assertThat(ranges(1, 1000, 1001, 65535)).isSameAs(PortSet.ANY);
        assertThat(ranges(1, 1000, 1002, 65535).isAny()).isFalse();
        assertThat(ranges(2, 65535).isAny()).isFalse();
        assertThat(PortSet.ANY.contains(1)).isTrue();
        assertThat(PortSet.ANY.contains(65535)).isTrue();
        assertThat(PortSet.ANY.contains(0)).isFalse();
        assertThat(PortSet.ANY.contains(65536)).isFalse();
    }

    @Test
    void contains() {
        PortSet p = ranges(80, 80, 443, 443, 8000, 8999);
        assertThat(p.contains(80)).isTrue();
        assertThat(p.contains(81)).isFalse();
        assertThat(p.contains(443)).isTrue();
        assertThat(p.contains(7999)).isFalse();
        assertThat(p.contains(8000)).isTrue();
        assertThat(p.contains(8999)).isTrue();
        assertThat(p.contains(9000)).isFalse();
        assertThat(p.contains(0)).isFalse();
    }

    @Test
    void containsAll() {
        PortSet web = ranges(80, 90, 443, 443);
        assertThat(web.containsAll(PortSet.of(80, 85))).isTrue();
        assertThat(web.containsAll(PortSet.of(80, 443))).isTrue();
        assertThat(web.containsAll(ranges(80, 90))).isTrue();
        assertThat(web.containsAll(ranges(80, 91))).isFalse();
        assertThat(web.containsAll(PortSet.of(80, 8080))).isFalse();
        assertThat(web.containsAll(PortSet.ANY)).isFalse();
        assertThat(PortSet.ANY.containsAll(web)).isTrue();
        assertThat(PortSet.ANY.containsAll(PortSet.ANY)).isTrue();
        assertThat(PortSet.of(80).containsAll(PortSet.of(80, 81))).isFalse();
        // a merged range spanning two of the other's ranges
        assertThat(ranges(1, 100).containsAll(ranges(10, 20, 30, 40))).isTrue();
        assertThat(ranges(10, 20, 30, 40).containsAll(ranges(15, 35))).isFalse();
    }

    @Test
    void equalityFollowsTheEntries() {
        assertThat(PortSet.of(80, 443)).isEqualTo(PortSet.of(443, 80)).hasSameHashCodeAs(PortSet.of(443, 80));
        assertThat(ranges(80, 81)).isEqualTo(PortSet.of(80, 81));
        assertThat(PortSet.of(80)).isNotEqualTo(PortSet.of(81));
        assertThat(ranges(1, 65535)).isEqualTo(PortSet.ANY);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0     | 1",
            "1     | 0",
            "1     | 65536",
            "5     | 4",
            "-1    | 10",
    })
    void rejectsBadRanges(int first, int last) {
        assertThatThrownBy(() -> ranges(first, last))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port range: [" + first + ", " + last + "] (expected: 1..65535, first <= last)");
    }

    @Test
    void rejectsBadPortsAndShapes() {
        assertThatThrownBy(() -> PortSet.of(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortSet.of(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortSet.of(List.of(new int[] {80}))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PortSet.of(List.of(new int[] {80, 81, 82}))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "parseEntry(\"{0}\") = {1}-{2}")
    @CsvSource(delimiter = '|', value = {
            "443             | 443   | 443",
            "8000-8999       | 8000  | 8999",
            "' 8000 - 8999 ' | 8000  | 8999",
            "any             | 1     | 65535",
            "*               | 1     | 65535",
            "' any '         | 1     | 65535",
            "1               | 1     | 1",
            "65535           | 65535 | 65535",
            "80-80           | 80    | 80",
    })
    void parsesEntries(String text, int first, int last) {
        assertThat(PortSet.parseEntry(text)).hasValueSatisfying(r -> assertThat(r).containsExactly(first, last));
    }

    @ParameterizedTest(name = "parseEntry(\"{0}\") is empty")
    @ValueSource(strings = {"", "0", "65536", "99999", "9-8", "80-", "-80", "a", "80,443", "+80", "8 0", "1-2-3", "ANY", "0-80"})
    void rejectsEntries(String text) {
        assertThat(PortSet.parseEntry(text)).isEmpty();
    }

    @Test
    void entriesRoundTripThroughParseEntry() {
        PortSet p = ranges(22, 22, 80, 90, 443, 443, 8000, 8999);
        List<int[]> parsed = new java.util.ArrayList<>();
        for (String e : p.entries()) {
            parsed.add(PortSet.parseEntry(e).orElseThrow());
        }
        assertThat(PortSet.of(parsed)).isEqualTo(p);
        assertThat(PortSet.of(List.of(PortSet.parseEntry(PortSet.ANY.entries().get(0)).orElseThrow()))).isSameAs(PortSet.ANY);
    }
}
